using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Codecs;

/// <summary>One 20 ms G.711 frame (160 samples at 8 kHz); must allocate nothing.</summary>
[MemoryDiagnoser]
public class G711Benchmarks
{
    private readonly short[] _pcm = new short[160];
    private readonly short[] _decoded = new short[160];
    private readonly byte[] _mu = new byte[160];
    private readonly byte[] _a = new byte[160];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        for (var i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)((9000 * Math.Sin(2 * Math.PI * 300 * i / 8000.0)) + random.Next(-500, 500));
        }

        G711.EncodeMuLaw(_pcm, _mu);
        G711.EncodeALaw(_pcm, _a);
    }

    [Benchmark]
    public void EncodeMuLaw() => G711.EncodeMuLaw(_pcm, _mu);

    [Benchmark]
    public void DecodeMuLaw() => G711.DecodeMuLaw(_mu, _decoded);

    [Benchmark]
    public void EncodeALaw() => G711.EncodeALaw(_pcm, _a);

    [Benchmark]
    public void DecodeALaw() => G711.DecodeALaw(_a, _decoded);
}
