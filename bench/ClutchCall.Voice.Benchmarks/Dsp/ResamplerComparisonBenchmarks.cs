using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Dsp;

/// <summary>
/// Managed polyphase resampler against libspeexdsp and libsoxr on the same 20 ms frames (8 kHz → 48 kHz
/// and back). Decides docs/media-resampler.md. Run:
/// <c>dotnet run -c Release --project bench/ClutchCall.Voice.Benchmarks -- --filter '*ResamplerComparison*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public unsafe class ResamplerComparisonBenchmarks
{
    private readonly short[] _in8 = ResamplerBenchmarks.Signal(160, 8000);
    private readonly short[] _in48 = ResamplerBenchmarks.Signal(960, 48000);
    private readonly short[] _out = new short[1200];
    private Resampler _managedUp = null!;
    private Resampler _managedDown = null!;
    private nint _speex3Up;
    private nint _speex3Down;
    private nint _speex10Up;
    private nint _speex10Down;
    private nint _soxrMqUp;
    private nint _soxrMqDown;
    private nint _soxrHqUp;
    private nint _soxrHqDown;

    [GlobalSetup]
    public void Setup()
    {
        _managedUp = new Resampler(8000, 48000);
        _managedDown = new Resampler(48000, 8000);
        _speex3Up = NativeResamplers.SpeexInit(1, 8000, 48000, 3, out _);
        _speex3Down = NativeResamplers.SpeexInit(1, 48000, 8000, 3, out _);
        _speex10Up = NativeResamplers.SpeexInit(1, 8000, 48000, 10, out _);
        _speex10Down = NativeResamplers.SpeexInit(1, 48000, 8000, 10, out _);
        _soxrMqUp = Soxr(8000, 48000, NativeResamplers.SoxrMediumQuality);
        _soxrMqDown = Soxr(48000, 8000, NativeResamplers.SoxrMediumQuality);
        _soxrHqUp = Soxr(8000, 48000, NativeResamplers.SoxrHighQuality);
        _soxrHqDown = Soxr(48000, 8000, NativeResamplers.SoxrHighQuality);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var s in new[] { _speex3Up, _speex3Down, _speex10Up, _speex10Down })
        {
            NativeResamplers.SpeexDestroy(s);
        }

        foreach (var s in new[] { _soxrMqUp, _soxrMqDown, _soxrHqUp, _soxrHqDown })
        {
            NativeResamplers.SoxrDelete(s);
        }
    }

    [Benchmark(Baseline = true)]
    public int ManagedUp8To48() => _managedUp.Process(_in8, _out);

    [Benchmark]
    public int ManagedDown48To8() => _managedDown.Process(_in48, _out);

    [Benchmark]
    public int SpeexQ3Up8To48() => Speex(_speex3Up, _in8);

    [Benchmark]
    public int SpeexQ3Down48To8() => Speex(_speex3Down, _in48);

    [Benchmark]
    public int SpeexQ10Up8To48() => Speex(_speex10Up, _in8);

    [Benchmark]
    public int SpeexQ10Down48To8() => Speex(_speex10Down, _in48);

    [Benchmark]
    public int SoxrMqUp8To48() => SoxrRun(_soxrMqUp, _in8);

    [Benchmark]
    public int SoxrMqDown48To8() => SoxrRun(_soxrMqDown, _in48);

    [Benchmark]
    public int SoxrHqUp8To48() => SoxrRun(_soxrHqUp, _in8);

    [Benchmark]
    public int SoxrHqDown48To8() => SoxrRun(_soxrHqDown, _in48);

    private static nint Soxr(double inRate, double outRate, uint recipe)
    {
        var io = new NativeResamplers.SoxrIoSpec
        {
            InputType = NativeResamplers.SoxrInt16Interleaved,
            OutputType = NativeResamplers.SoxrInt16Interleaved,
            Scale = 1,
        };
        var quality = NativeResamplers.SoxrQuality(recipe, 0);
        var soxr = NativeResamplers.SoxrCreate(inRate, outRate, 1, out var error, &io, &quality, 0);
        if (soxr == 0 || error != 0)
        {
            throw new InvalidOperationException("soxr_create failed");
        }

        return soxr;
    }

    private int Speex(nint state, short[] input)
    {
        var inLength = (uint)input.Length;
        var outLength = (uint)_out.Length;
        fixed (short* i = input)
        fixed (short* o = _out)
        {
            NativeResamplers.SpeexProcessInt(state, 0, i, ref inLength, o, ref outLength);
        }

        return (int)outLength;
    }

    private int SoxrRun(nint soxr, short[] input)
    {
        fixed (short* i = input)
        fixed (short* o = _out)
        {
            NativeResamplers.SoxrProcess(soxr, i, (nuint)input.Length, out _, o, (nuint)_out.Length, out var done);
            return (int)done;
        }
    }
}
