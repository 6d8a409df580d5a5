using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Dsp;

/// <summary>One 20 ms frame through the managed polyphase resampler, per direction.</summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private readonly short[] _in8 = Signal(160, 8000);
    private readonly short[] _in16 = Signal(320, 16000);
    private readonly short[] _in48 = Signal(960, 48000);
    private readonly short[] _out = new short[960];
    private Resampler _up8 = null!;
    private Resampler _down8 = null!;
    private Resampler _up16 = null!;
    private Resampler _down16 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _up8 = new Resampler(8000, 48000);
        _down8 = new Resampler(48000, 8000);
        _up16 = new Resampler(16000, 48000);
        _down16 = new Resampler(48000, 16000);
    }

    [Benchmark]
    public int Up8To48() => _up8.Process(_in8, _out);

    [Benchmark]
    public int Down48To8() => _down8.Process(_in48, _out);

    [Benchmark]
    public int Up16To48() => _up16.Process(_in16, _out);

    [Benchmark]
    public int Down48To16() => _down16.Process(_in48, _out);

    internal static short[] Signal(int samples, int rate)
    {
        var x = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            x[i] = (short)((8000 * Math.Sin(2 * Math.PI * 440 * i / rate)) + (3000 * Math.Sin(2 * Math.PI * 1870 * i / rate)));
        }

        return x;
    }
}
