using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Codecs;

/// <summary>One 20 ms mono frame through libopus at 24 kbps (VoIP); must allocate nothing per frame.</summary>
[MemoryDiagnoser]
public class OpusFrameBenchmarks
{
    private OpusEncoder _encoder = null!;
    private OpusDecoder _decoder = null!;
    private short[] _pcm = null!;
    private short[] _output = null!;
    private byte[] _packet = null!;
    private byte[] _encoded = null!;

    [Params(16000, 48000)]
    public int SampleRate { get; set; }

    [Params(5, 10)]
    public int Complexity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var format = new AudioFormat(SampleRate, 1);
        _encoder = new OpusEncoder(format, new OpusEncoderOptions { BitrateBps = 24000, Complexity = Complexity });
        _decoder = new OpusDecoder(format);
        _pcm = new short[format.SamplesPerChannel(20)];
        var random = new Random(1);
        for (var i = 0; i < _pcm.Length; i++)
        {
            // Voiced-speech-like: a 140 Hz harmonic series plus a little noise.
            var t = (double)i / SampleRate;
            var v = 0.0;
            for (var h = 1; h <= 12; h++)
            {
                v += Math.Sin(2 * Math.PI * 140 * h * t) / h;
            }

            _pcm[i] = (short)((6000 * v) + random.Next(-300, 300));
        }

        _packet = new byte[OpusEncoder.MaxPacketBytes];
        _output = new short[_pcm.Length];

        // Warm the encoder so the packet decoded below is a steady-state one.
        var length = 0;
        for (var i = 0; i < 10; i++)
        {
            length = _encoder.Encode(_pcm, _packet);
        }

        _encoded = _packet[..length];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }

    [Benchmark]
    public int Encode() => _encoder.Encode(_pcm, _packet);

    [Benchmark]
    public int Decode() => _decoder.Decode(_encoded, _output);

    [Benchmark]
    public int Conceal() => _decoder.Conceal(_output, _output.Length);
}
