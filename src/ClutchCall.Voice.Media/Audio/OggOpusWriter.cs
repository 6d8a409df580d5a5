using System.Buffers.Binary;
using System.Text;

namespace ClutchCall.Voice.Media;

/// <summary>
/// Writes an Ogg Opus file (RFC 7845 over the Ogg encapsulation of RFC 3533) for call recordings: the
/// OpusHead and OpusTags header pages, then the packets given to <see cref="WritePacket"/>, paged at most
/// one second per page. <see cref="Dispose"/> writes the final page with the end-of-stream flag; it does not
/// close <c>output</c>, which stays the caller's.
/// </summary>
internal sealed class OggOpusWriter : IDisposable
{
    /// <summary>Longest packet one page holds (255 lacing values of 255 bytes, minus one).</summary>
    public const int MaxPacketBytes = (255 * 255) - 1;

    private const int HeaderBytes = 27;
    private const int MaxSegments = 255;

    // RFC 7845 §4 recommends pages of at most one second for fast seeking.
    private const long MaxPageSamples = 48000;

    // RFC 3533 §6 header_type flags.
    private const byte FlagBeginOfStream = 0x02;
    private const byte FlagEndOfStream = 0x04;

    private readonly Stream _output;
    private readonly uint _serial;
    private readonly byte[] _page = new byte[HeaderBytes + MaxSegments + (MaxSegments * 255)];
    private readonly byte[] _segments = new byte[MaxSegments];
    private readonly byte[] _data = new byte[MaxSegments * 255];
    private int _segmentCount;
    private int _dataLength;
    private long _pendingSamples;
    private uint _sequence;
    private long _granule;
    private bool _disposed;

    public OggOpusWriter(Stream output, int channels, int inputSampleRate, int preSkip = 312, string vendor = "ClutchCall.Voice", uint? serialNumber = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(vendor);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        // RFC 7845 §5.1.1: channel mapping family 0 covers mono and stereo only.
        if (channels is not (1 or 2))
        {
            throw new NotSupportedException($"Ogg Opus recording supports 1 or 2 channels (mapping family 0), not {channels}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(inputSampleRate);
        ArgumentOutOfRangeException.ThrowIfNegative(preSkip);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preSkip, ushort.MaxValue);

        _output = output;
        _serial = serialNumber ?? (uint)Random.Shared.Next();
        Channels = channels;
        PreSkip = preSkip;

        WriteOpusHead(channels, inputSampleRate, preSkip);
        WriteOpusTags(vendor);
    }

    public int Channels { get; }

    public int PreSkip { get; }

    /// <summary>Samples at 48 kHz written so far, including the pre-skip (the granule position of the last packet).</summary>
    public long GranulePosition => _granule;

    /// <summary>Pages written so far.</summary>
    public long PagesWritten => _sequence;

    /// <summary>Appends one Opus packet that decodes to <paramref name="samplesAt48k"/> samples per channel at 48 kHz.</summary>
    public void WritePacket(ReadOnlySpan<byte> opusPacket, int samplesAt48k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (opusPacket.IsEmpty || opusPacket.Length > MaxPacketBytes)
        {
            throw new ArgumentException($"An Opus packet must be 1 to {MaxPacketBytes} bytes; got {opusPacket.Length}.", nameof(opusPacket));
        }

        // RFC 6716 §3.2.5: a packet lasts 2.5 to 120 ms (120 to 5760 samples at 48 kHz).
        if (samplesAt48k is < 120 or > 5760)
        {
            throw new ArgumentOutOfRangeException(nameof(samplesAt48k), samplesAt48k, "An Opus packet lasts 120 to 5760 samples at 48 kHz.");
        }

        // RFC 3533 §6: a packet of n bytes takes n/255 lacing values of 255 plus one final value below 255.
        var lacing = (opusPacket.Length / 255) + 1;
        if (_segmentCount + lacing > MaxSegments || _pendingSamples >= MaxPageSamples)
        {
            FlushPage(endOfStream: false);
        }

        for (var i = 0; i < lacing - 1; i++)
        {
            _segments[_segmentCount++] = 255;
        }

        _segments[_segmentCount++] = (byte)(opusPacket.Length % 255);
        opusPacket.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += opusPacket.Length;
        _pendingSamples += samplesAt48k;
        _granule += samplesAt48k;
    }

    /// <summary>Writes the final page with the end-of-stream flag. The output stream stays open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        FlushPage(endOfStream: true);
        _output.Flush();
        _disposed = true;
    }

    private void WriteOpusHead(int channels, int inputSampleRate, int preSkip)
    {
        // RFC 7845 §5.1: "OpusHead", version 1, channel count, pre-skip (LE16), input rate (LE32),
        // output gain (LE16, Q7.8), channel mapping family 0.
        Span<byte> head = stackalloc byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], (uint)inputSampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(head[16..], 0);
        head[18] = 0;
        AddHeaderPacket(head);

        // RFC 7845 §3: the identification header is alone on the first page, which has the BOS flag.
        FlushPage(endOfStream: false, beginOfStream: true);
    }

    private void WriteOpusTags(string vendor)
    {
        // RFC 7845 §5.2: "OpusTags", vendor string length (LE32) and UTF-8 vendor, comment count (LE32).
        var vendorBytes = Encoding.UTF8.GetBytes(vendor);
        var length = 8 + 4 + vendorBytes.Length + 4;
        if (length > MaxPacketBytes)
        {
            throw new ArgumentException("Vendor string too long.", nameof(vendor));
        }

        var tags = new byte[length];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendorBytes.Length);
        vendorBytes.CopyTo(tags.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(12 + vendorBytes.Length), 0);
        AddHeaderPacket(tags);

        // RFC 7845 §3: the comment header ends its page; audio starts on a fresh page.
        FlushPage(endOfStream: false);
    }

    private void AddHeaderPacket(ReadOnlySpan<byte> packet)
    {
        var lacing = (packet.Length / 255) + 1;
        for (var i = 0; i < lacing - 1; i++)
        {
            _segments[_segmentCount++] = 255;
        }

        _segments[_segmentCount++] = (byte)(packet.Length % 255);
        packet.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += packet.Length;
    }

    private void FlushPage(bool endOfStream, bool beginOfStream = false)
    {
        // RFC 3533 §6 page header: "OggS", version 0, header_type, granule (LE64), serial (LE32),
        // sequence (LE32), CRC (LE32), segment count, lacing values; then the packet data.
        var page = _page.AsSpan(0, HeaderBytes + _segmentCount + _dataLength);
        "OggS"u8.CopyTo(page);
        page[4] = 0;
        page[5] = (byte)((beginOfStream ? FlagBeginOfStream : 0) | (endOfStream ? FlagEndOfStream : 0));

        // RFC 7845 §4: header pages have granule 0; an audio page carries the 48 kHz sample count at the
        // end of its last completed packet (pre-skip included); every packet here completes on its page.
        BinaryPrimitives.WriteInt64LittleEndian(page[6..], _granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page[14..], _serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page[18..], _sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], 0);
        page[26] = (byte)_segmentCount;
        _segments.AsSpan(0, _segmentCount).CopyTo(page[HeaderBytes..]);
        _data.AsSpan(0, _dataLength).CopyTo(page[(HeaderBytes + _segmentCount)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggCrc.Compute(page));
        _output.Write(page);

        _sequence++;
        _segmentCount = 0;
        _dataLength = 0;
        _pendingSamples = 0;
    }
}
