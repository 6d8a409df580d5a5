using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// The QUIC transport parameters QMux exchanges in QX_TRANSPORT_PARAMETERS (RFC 9000 §18.2 ids; QMux adds
/// max_record_size from draft-01). Absent parameters take RFC 9000's defaults: zero credit.
/// </summary>
internal record struct QmuxTransportParameters
{
    // RFC 9000 §18.2 parameter ids.
    private const ulong MaxIdleTimeoutId = 0x01;
    private const ulong InitialMaxDataId = 0x04;
    private const ulong InitialMaxStreamDataBidiLocalId = 0x05;
    private const ulong InitialMaxStreamDataBidiRemoteId = 0x06;
    private const ulong InitialMaxStreamDataUniId = 0x07;
    private const ulong InitialMaxStreamsBidiId = 0x08;
    private const ulong InitialMaxStreamsUniId = 0x09;

    // RFC 9221 §3.
    private const ulong MaxDatagramFrameSizeId = 0x20;

    // draft-ietf-quic-qmux-01 max_record_size.
    private const ulong MaxRecordSizeId = 0x0571c59429cd0845;

    /// <summary>draft-ietf-quic-qmux-01: the smallest (and default) max_record_size.</summary>
    public const long DefaultMaxRecordSize = 16382;

    public long MaxIdleTimeoutMs;
    public long InitialMaxData;
    public long InitialMaxStreamDataBidiLocal;
    public long InitialMaxStreamDataBidiRemote;
    public long InitialMaxStreamDataUni;
    public long InitialMaxStreamsBidi;
    public long InitialMaxStreamsUni;
    public long MaxDatagramFrameSize;
    public long MaxRecordSize;

    /// <summary>Parameters granting the windows of <paramref name="limits"/>.</summary>
    public static QmuxTransportParameters FromLimits(MoqtTransportLimits limits) => new()
    {
        InitialMaxData = limits.ConnectionReceiveWindow,
        InitialMaxStreamDataBidiLocal = limits.StreamReceiveWindow,
        InitialMaxStreamDataBidiRemote = limits.StreamReceiveWindow,
        InitialMaxStreamDataUni = limits.StreamReceiveWindow,
        InitialMaxStreamsBidi = limits.MaxInboundBidirectionalStreams,
        InitialMaxStreamsUni = limits.MaxInboundUnidirectionalStreams,
        MaxRecordSize = Math.Max(DefaultMaxRecordSize, limits.MaxFrameSize),
    };

    public readonly void WriteTo(IBufferWriter<byte> writer, QmuxVersion version)
    {
        Write(writer, MaxIdleTimeoutId, MaxIdleTimeoutMs);
        Write(writer, InitialMaxDataId, InitialMaxData);
        Write(writer, InitialMaxStreamDataBidiLocalId, InitialMaxStreamDataBidiLocal);
        Write(writer, InitialMaxStreamDataBidiRemoteId, InitialMaxStreamDataBidiRemote);
        Write(writer, InitialMaxStreamDataUniId, InitialMaxStreamDataUni);
        Write(writer, InitialMaxStreamsBidiId, InitialMaxStreamsBidi);
        Write(writer, InitialMaxStreamsUniId, InitialMaxStreamsUni);
        if (MaxDatagramFrameSize > 0)
        {
            Write(writer, MaxDatagramFrameSizeId, MaxDatagramFrameSize);
        }

        if (version != QmuxVersion.Draft00)
        {
            Write(writer, MaxRecordSizeId, MaxRecordSize);
        }
    }

    /// <summary>
    /// Parses a QX_TRANSPORT_PARAMETERS body. Unknown ids are skipped (RFC 9000 §18.1); a repeated known id,
    /// a malformed value, or a QUIC-only parameter QMux forbids is a TRANSPORT_PARAMETER_ERROR (false).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out QmuxTransportParameters parameters)
    {
        parameters = new QmuxTransportParameters { MaxRecordSize = DefaultMaxRecordSize };
        var seen = 0u;
        while (!body.IsEmpty)
        {
            if (!QuicVarint.TryRead(body, out var id, out var read))
            {
                return false;
            }

            body = body[read..];
            if (!QuicVarint.TryRead(body, out var length, out read) || length > (ulong)(body.Length - read))
            {
                return false;
            }

            var value = body.Slice(read, (int)length);
            body = body[(read + (int)length)..];

            // draft-ietf-quic-qmux-00: parameters tied to QUIC's handshake and paths (original_destination_connection_id,
            // stateless_reset_token, max_udp_payload_size, ack_delay_exponent … retry_source_connection_id) must not appear.
            if (id is 0x00 or 0x02 or 0x03 or (>= 0x0a and <= 0x10))
            {
                return false;
            }

            var bit = id switch
            {
                MaxIdleTimeoutId => 1u,
                InitialMaxDataId => 2u,
                InitialMaxStreamDataBidiLocalId => 4u,
                InitialMaxStreamDataBidiRemoteId => 8u,
                InitialMaxStreamDataUniId => 16u,
                InitialMaxStreamsBidiId => 32u,
                InitialMaxStreamsUniId => 64u,
                MaxDatagramFrameSizeId => 128u,
                MaxRecordSizeId => 256u,
                _ => 0u,
            };
            if (bit == 0)
            {
                continue;
            }

            // RFC 9000 §7.4: an endpoint must not send a parameter more than once.
            if ((seen & bit) != 0 || !QuicVarint.TryRead(value, out var number, out var valueLength) || valueLength != value.Length)
            {
                return false;
            }

            seen |= bit;
            var v = (long)number;
            switch (id)
            {
                case MaxIdleTimeoutId: parameters.MaxIdleTimeoutMs = v; break;
                case InitialMaxDataId: parameters.InitialMaxData = v; break;
                case InitialMaxStreamDataBidiLocalId: parameters.InitialMaxStreamDataBidiLocal = v; break;
                case InitialMaxStreamDataBidiRemoteId: parameters.InitialMaxStreamDataBidiRemote = v; break;
                case InitialMaxStreamDataUniId: parameters.InitialMaxStreamDataUni = v; break;
                case InitialMaxStreamsBidiId: parameters.InitialMaxStreamsBidi = v; break;
                case InitialMaxStreamsUniId: parameters.InitialMaxStreamsUni = v; break;
                case MaxDatagramFrameSizeId: parameters.MaxDatagramFrameSize = v; break;
                default: parameters.MaxRecordSize = v; break;
            }
        }

        // RFC 9000 §18.2: stream counts above 2^60 are invalid; draft-01: max_record_size has a floor.
        return parameters.InitialMaxStreamsBidi <= 1L << 60
            && parameters.InitialMaxStreamsUni <= 1L << 60
            && parameters.MaxRecordSize >= DefaultMaxRecordSize;
    }

    private static void Write(IBufferWriter<byte> writer, ulong id, long value)
    {
        QuicVarint.Write(writer, id);
        QuicVarint.Write(writer, (ulong)QuicVarint.GetLength((ulong)value));
        QuicVarint.Write(writer, (ulong)value);
    }
}
