namespace ClutchCall.Voice.Media;

/// <summary>Opus encoder (RFC 6716) over the system libopus: 8/16/24/48 kHz, mono or stereo, interleaved PCM16.</summary>
internal sealed unsafe class OpusEncoder : IAudioEncoder
{
    /// <summary>Recommended packet buffer size from the libopus documentation; no packet is larger.</summary>
    public const int MaxPacketBytes = 4000;

    private readonly OpusEncoderHandle _handle;
    private readonly int _frameSamplesPerChannel;
    private readonly int _frameSamples;

    public OpusEncoder(AudioFormat format, OpusEncoderOptions? options = null)
    {
        options ??= new OpusEncoderOptions();
        OpusFormats.EnsureSupported(format);
        if (options.FrameMs is not (5 or 10 or 20 or 40 or 60))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FrameMs, "Opus frame duration must be 5, 10, 20, 40 or 60 ms.");
        }

        var application = options.Application switch
        {
            OpusApplication.Voip => OpusNative.ApplicationVoip,
            OpusApplication.Audio => OpusNative.ApplicationAudio,
            OpusApplication.RestrictedLowDelay => OpusNative.ApplicationRestrictedLowDelay,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Application, "Unknown Opus application."),
        };

        OpusLibrary.EnsureLoaded();
        _handle = OpusNative.EncoderCreate(format.SampleRate, format.Channels, application, out var error);
        if (error != 0 || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw OpusErrors.Failure($"opus_encoder_create({format})", error);
        }

        Format = format;
        FrameMs = options.FrameMs;
        Application = options.Application;
        _frameSamplesPerChannel = format.SamplesPerChannel(options.FrameMs);
        _frameSamples = _frameSamplesPerChannel * format.Channels;
        try
        {
            BitrateBps = options.BitrateBps;
            Complexity = options.Complexity;
            InbandFec = options.InbandFec;
            PacketLossPercent = options.PacketLossPercent;
            Dtx = options.Dtx;
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public AudioCodec Codec => AudioCodec.Opus;

    public AudioFormat Format { get; }

    public int FrameMs { get; }

    public OpusApplication Application { get; }

    /// <summary>Target bitrate in bits per second, 500 to 512000.</summary>
    public int BitrateBps
    {
        get => Get(OpusNative.GetBitrateRequest);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 500);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 512000);
            Set(OpusNative.SetBitrateRequest, value);
        }
    }

    /// <summary>Complexity 0 to 10.</summary>
    public int Complexity
    {
        get => Get(OpusNative.GetComplexityRequest);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
            Set(OpusNative.SetComplexityRequest, value);
        }
    }

    /// <summary>In-band forward error correction (SILK LBRR).</summary>
    public bool InbandFec
    {
        get => Get(OpusNative.GetInbandFecRequest) != 0;
        set => Set(OpusNative.SetInbandFecRequest, value ? 1 : 0);
    }

    /// <summary>Expected packet loss, 0 to 100 percent.</summary>
    public int PacketLossPercent
    {
        get => Get(OpusNative.GetPacketLossPercRequest);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            Set(OpusNative.SetPacketLossPercRequest, value);
        }
    }

    /// <summary>Discontinuous transmission.</summary>
    public bool Dtx
    {
        get => Get(OpusNative.GetDtxRequest) != 0;
        set => Set(OpusNative.SetDtxRequest, value ? 1 : 0);
    }

    /// <summary>Encoder look-ahead in samples per channel at <see cref="Format"/>'s rate (the algorithmic delay a receiver sees).</summary>
    public int LookaheadSamples => Get(OpusNative.GetLookaheadRequest);

    public int Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        if (pcm.Length != _frameSamples)
        {
            throw new ArgumentException(
                $"An Opus frame of {FrameMs} ms at {Format} is {_frameSamples} interleaved samples, got {pcm.Length}.", nameof(pcm));
        }

        if (destination.IsEmpty)
        {
            throw new ArgumentException("Destination buffer is empty.", nameof(destination));
        }

        int result;
        fixed (short* pcmPtr = pcm)
        fixed (byte* dst = destination)
        {
            result = OpusNative.Encode(_handle, pcmPtr, _frameSamplesPerChannel, dst, Math.Min(destination.Length, MaxPacketBytes));
        }

        if (result < 0)
        {
            throw result == (int)OpusError.BufferTooSmall
                ? new ArgumentException($"Destination of {destination.Length} bytes is too small for the Opus packet; use {MaxPacketBytes}.", nameof(destination))
                : OpusErrors.Failure("opus_encode", result);
        }

        return result;
    }

    /// <summary>Resets the codec state as if freshly created, keeping the settings.</summary>
    public void Reset() => Check("OPUS_RESET_STATE", OpusNative.EncoderCtl(_handle, OpusNative.ResetState));

    public void Dispose() => _handle.Dispose();

    private int Get(int request)
    {
        Check($"opus_encoder_ctl({request})", OpusNative.EncoderCtl(_handle, request, out var value));
        return value;
    }

    private void Set(int request, int value) =>
        Check($"opus_encoder_ctl({request}, {value})", OpusNative.EncoderCtl(_handle, request, value));

    private static void Check(string operation, int result)
    {
        if (result != 0)
        {
            throw OpusErrors.Failure(operation, result);
        }
    }
}
