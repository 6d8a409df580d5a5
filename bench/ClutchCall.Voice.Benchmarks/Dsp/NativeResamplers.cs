using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Benchmarks.Dsp;

/// <summary>
/// P/Invoke bindings to libspeexdsp and libsoxr, used only to compare against the managed resampler
/// (docs/media-resampler.md). The product does not depend on either library.
/// </summary>
internal static unsafe partial class NativeResamplers
{
    private const string Speex = "libspeexdsp.so.1";
    private const string Soxr = "libsoxr.so.0";

    public const int SoxrInt16Interleaved = 3;
    public const uint SoxrLowQuality = 1;
    public const uint SoxrMediumQuality = 2;
    public const uint SoxrHighQuality = 4;

    [LibraryImport(Speex, EntryPoint = "speex_resampler_init")]
    public static partial nint SpeexInit(uint channels, uint inRate, uint outRate, int quality, out int error);

    [LibraryImport(Speex, EntryPoint = "speex_resampler_process_int")]
    public static partial int SpeexProcessInt(nint state, uint channel, short* input, ref uint inLength, short* output, ref uint outLength);

    [LibraryImport(Speex, EntryPoint = "speex_resampler_destroy")]
    public static partial void SpeexDestroy(nint state);

    [LibraryImport(Soxr, EntryPoint = "soxr_create")]
    public static partial nint SoxrCreate(double inRate, double outRate, uint channels, out nint error, SoxrIoSpec* io, SoxrQualitySpec* quality, nint runtime);

    [LibraryImport(Soxr, EntryPoint = "soxr_process")]
    public static partial nint SoxrProcess(nint soxr, short* input, nuint inLength, out nuint inDone, short* output, nuint outLength, out nuint outDone);

    [LibraryImport(Soxr, EntryPoint = "soxr_quality_spec")]
    public static partial SoxrQualitySpec SoxrQuality(nuint recipe, nuint flags);

    [LibraryImport(Soxr, EntryPoint = "soxr_delete")]
    public static partial void SoxrDelete(nint soxr);

    [StructLayout(LayoutKind.Sequential)]
    public struct SoxrIoSpec
    {
        public int InputType;
        public int OutputType;
        public double Scale;
        public nint E;
        public nuint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SoxrQualitySpec
    {
        public double Precision;
        public double PhaseResponse;
        public double PassbandEnd;
        public double StopbandBegin;
        public nint E;
        public nuint Flags;
    }
}
