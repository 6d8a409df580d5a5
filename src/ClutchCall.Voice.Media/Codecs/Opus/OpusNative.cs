using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Media;

/// <summary>
/// P/Invoke declarations for the system libopus (Debian package <c>libopus0</c>, <c>libopus.so.0</c>).
/// The library is located by <see cref="OpusLibrary"/>; call <see cref="OpusLibrary.EnsureLoaded"/> before the
/// first call so a missing library surfaces as a clear <see cref="DllNotFoundException"/>.
/// </summary>
/// <remarks>
/// <c>opus_encoder_ctl</c>/<c>opus_decoder_ctl</c> are C variadic functions. They are declared here with a
/// fixed argument list, which is call-compatible for integer and pointer arguments on the System V x86-64
/// and AAPCS64 Linux ABIs the engine runs on.
/// </remarks>
internal static unsafe partial class OpusNative
{
    public const string LibraryName = "opus";

    // opus_defines.h request codes (libopus 1.3 API).
    public const int SetApplicationRequest = 4000;
    public const int SetBitrateRequest = 4002;
    public const int GetBitrateRequest = 4003;
    public const int SetComplexityRequest = 4010;
    public const int GetComplexityRequest = 4011;
    public const int SetInbandFecRequest = 4012;
    public const int GetInbandFecRequest = 4013;
    public const int SetPacketLossPercRequest = 4014;
    public const int GetPacketLossPercRequest = 4015;
    public const int SetDtxRequest = 4016;
    public const int GetDtxRequest = 4017;
    public const int GetLookaheadRequest = 4027;
    public const int ResetState = 4028;
    public const int GetSampleRateRequest = 4029;
    public const int GetLastPacketDurationRequest = 4039;

    // opus_defines.h application modes.
    public const int ApplicationVoip = 2048;
    public const int ApplicationAudio = 2049;
    public const int ApplicationRestrictedLowDelay = 2051;

    [LibraryImport(LibraryName, EntryPoint = "opus_get_version_string")]
    public static partial nint GetVersionString();

    [LibraryImport(LibraryName, EntryPoint = "opus_strerror")]
    public static partial nint StrError(int error);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_create")]
    public static partial OpusEncoderHandle EncoderCreate(int sampleRate, int channels, int application, out int error);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_destroy")]
    public static partial void EncoderDestroy(nint encoder);

    [LibraryImport(LibraryName, EntryPoint = "opus_encode")]
    public static partial int Encode(OpusEncoderHandle encoder, short* pcm, int frameSize, byte* data, int maxDataBytes);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int EncoderCtl(OpusEncoderHandle encoder, int request, int value);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int EncoderCtl(OpusEncoderHandle encoder, int request, out int value);

    [LibraryImport(LibraryName, EntryPoint = "opus_encoder_ctl")]
    public static partial int EncoderCtl(OpusEncoderHandle encoder, int request);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_create")]
    public static partial OpusDecoderHandle DecoderCreate(int sampleRate, int channels, out int error);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_destroy")]
    public static partial void DecoderDestroy(nint decoder);

    [LibraryImport(LibraryName, EntryPoint = "opus_decode")]
    public static partial int Decode(OpusDecoderHandle decoder, byte* data, int length, short* pcm, int frameSize, int decodeFec);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    public static partial int DecoderCtl(OpusDecoderHandle decoder, int request, out int value);

    [LibraryImport(LibraryName, EntryPoint = "opus_decoder_ctl")]
    public static partial int DecoderCtl(OpusDecoderHandle decoder, int request);

    [LibraryImport(LibraryName, EntryPoint = "opus_packet_get_bandwidth")]
    public static partial int PacketGetBandwidth(byte* data);

    [LibraryImport(LibraryName, EntryPoint = "opus_packet_get_nb_channels")]
    public static partial int PacketGetNbChannels(byte* data);

    [LibraryImport(LibraryName, EntryPoint = "opus_packet_get_nb_frames")]
    public static partial int PacketGetNbFrames(byte* packet, int length);

    [LibraryImport(LibraryName, EntryPoint = "opus_packet_get_nb_samples")]
    public static partial int PacketGetNbSamples(byte* packet, int length, int sampleRate);

    [LibraryImport(LibraryName, EntryPoint = "opus_packet_get_samples_per_frame")]
    public static partial int PacketGetSamplesPerFrame(byte* data, int sampleRate);

    /// <summary>The libopus version string, e.g. <c>libopus 1.3.1</c>.</summary>
    public static string Version => Marshal.PtrToStringUTF8(GetVersionString()) ?? "libopus (unknown version)";
}
