using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;
using static ClutchCall.Voice.Moqt.Tests.Wire.CodecVectorTests;
using static ClutchCall.Voice.Moqt.Tests.Wire.WireTestHelpers;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

public sealed class MalformedInputTests
{
    private static readonly MoqtControlMessageReader Reader = MoqtControlMessageReader.Draft14;

    [Theory]
    [InlineData("0a000140")] // UNSUBSCRIBE: 2-byte varint cut after 1 byte inside a complete frame
    [InlineData("0a0002c000")] // UNSUBSCRIBE: 8-byte varint cut short
    [InlineData("0300020101")] // SUBSCRIBE: payload ends inside the namespace
    public void ControlReader_TruncatedVarintInCompleteFrame_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => Reader.TryRead(Hex(hex), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Theory]
    [InlineData("40")]
    [InlineData("0a")]
    [InlineData("0a00")]
    [InlineData("0a0002")]
    public void ControlReader_PartialFrame_ReturnsFalse(string hex)
    {
        Assert.False(Reader.TryRead(Hex(hex), out _, out _));
        var seq = Segmented(Hex(hex), 1);
        Assert.False(Reader.TryRead(ref seq, out _));
    }

    [Theory]
    [InlineData("3f")] // unknown type, nothing else yet: rejected as soon as the type is read
    [InlineData("01000100")] // 0x01: reserved (SETUP of version 00)
    [InlineData("40400000")] // 0x40: reserved (old CLIENT_SETUP)
    [InlineData("1b0000")]
    public void ControlReader_UnknownType_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => Reader.TryRead(Hex(hex), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Fact]
    public void ControlReader_LengthPastLimit_ThrowsBeforePayloadArrives()
    {
        var reader = new MoqtControlMessageReader(Draft14Codec.Instance, maxMessageLength: 64);

        // SUBSCRIBE declaring 1000 bytes; only the 3 header bytes are here.
        AssertViolation(() => reader.TryRead(Hex("0303e8"), out _, out _), MoqtSessionErrorCode.ProtocolViolation);
        var seq = new ReadOnlySequence<byte>(Hex("0303e8"));
        AssertViolation(() => reader.TryRead(ref seq, out _), MoqtSessionErrorCode.ProtocolViolation);
    }

    [Theory]
    [InlineData("0a00020100")] // UNSUBSCRIBE with a trailing byte
    [InlineData("17000302ffff")] // FETCH_CANCEL with two trailing bytes
    [InlineData("10000300aabb")] // GOAWAY: empty URI then junk
    public void ControlReader_LengthLongerThanContent_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => Reader.TryRead(Hex(hex), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Theory]
    [InlineData("0300120101046c69766505766964656f8000020100")] // Forward = 2
    [InlineData("0300120101046c69766505766964656f8003000100")] // Group Order = 3
    [InlineData("0300120101046c69766505766964656f8000000500")] // Filter Type = 5
    [InlineData("04000601000000020000")] // SUBSCRIBE_OK Content Exists = 2
    [InlineData("1600070680000401050000")] // FETCH type 4
    [InlineData("0300090100046c697665")] // namespace with 0 fields
    public void ControlReader_OutOfRangeField_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => Reader.TryRead(FixLength(Hex(hex)), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Fact]
    public void ControlReader_NamespaceOf33Fields_ThrowsProtocolViolation()
    {
        var payload = new ArrayBufferWriter<byte>();
        payload.WriteVarint(1);
        payload.WriteVarint(33);
        for (var i = 0; i < 33; i++)
        {
            payload.WriteLengthPrefixed("a"u8);
        }

        payload.WriteVarint(0);
        AssertViolation(() => Reader.TryRead(Frame(0x06, payload.WrittenSpan), out _, out _), MoqtSessionErrorCode.ProtocolViolation);
    }

    [Fact]
    public void ControlReader_FullTrackNameOver4096Bytes_ThrowsProtocolViolation()
    {
        var payload = new ArrayBufferWriter<byte>();
        payload.WriteVarint(1); // request id
        payload.WriteVarint(1);
        payload.WriteLengthPrefixed(new byte[3000]);
        payload.WriteLengthPrefixed(new byte[1200]); // 4,200 bytes in all
        payload.Write(Hex("8000000100"));
        AssertViolation(() => Reader.TryRead(Frame(0x03, payload.WrittenSpan), out _, out _), MoqtSessionErrorCode.ProtocolViolation);
    }

    [Fact]
    public void ControlReader_ReasonPhraseOver1024Bytes_ThrowsProtocolViolation()
    {
        var payload = new ArrayBufferWriter<byte>();
        payload.WriteVarint(1);
        payload.WriteVarint(0);
        payload.WriteLengthPrefixed(new byte[1025]);
        AssertViolation(() => Reader.TryRead(Frame(0x05, payload.WrittenSpan), out _, out _), MoqtSessionErrorCode.ProtocolViolation);
    }

    [Theory]
    [InlineData("0101")] // AUTHORIZATION TOKEN of one byte: REGISTER without alias
    [InlineData("0109")] // alias type 9
    [InlineData("020107")] // USE_ALIAS with trailing bytes
    public void ControlReader_MalformedAuthToken_ThrowsKeyValueFormattingError(string tokenHex)
    {
        var token = Hex(tokenHex);
        var payload = new ArrayBufferWriter<byte>();
        payload.WriteVarint(1);
        payload.Write(Hex("01046c697665")); // namespace ("live")
        payload.WriteVarint(1);
        payload.WriteVarint(3);
        payload.WriteLengthPrefixed(token);
        AssertViolation(() => Reader.TryRead(Frame(0x06, payload.WrittenSpan), out _, out _), MoqtSessionErrorCode.KeyValueFormattingError);
    }

    [Fact]
    public void ControlReader_DuplicateDeliveryTimeout_ThrowsProtocolViolation() =>
        AssertViolation(() => Reader.TryRead(FixLength(Hex("0400000100000100020240640240c8")), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Fact]
    public void ControlReader_DuplicateUnknownParameter_IsKept()
    {
        Assert.True(Reader.TryRead(FixLength(Hex("0400000100000100022104aabbccdd2100")), out var m, out _));
        Assert.Equal(2, ((SubscribeOkMessage)m).Parameters.Count);
    }

    [Fact]
    public void ControlReader_ParameterCountBeyondPayload_ThrowsProtocolViolation() =>
        AssertViolation(() => Reader.TryRead(FixLength(Hex("0400000100000100c0000000ffffffff")), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Theory]
    [InlineData("16")] // 0x16 and 0x17 are not defined subgroup types
    [InlineData("17")]
    [InlineData("1e")]
    [InlineData("06")]
    [InlineData("00")] // datagram types are not stream types
    public void DataReader_UnknownStreamType_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => MoqtDataReader.TryReadStreamHeader(Hex(hex + "010203"), out _, out _), MoqtSessionErrorCode.ProtocolViolation);

    [Fact]
    public void DataReader_NonMinimalStreamType_IsAccepted()
    {
        // RFC 9000 §16: 0x4010 is a 2-byte encoding of 0x10 (SUBGROUP_HEADER, subgroup 0, no extensions).
        Assert.True(MoqtDataReader.TryReadStreamHeader(Hex("4010010280"), out var h, out var consumed));
        Assert.Equal(0x10UL, h.Subgroup.StreamType);
        Assert.Equal(5, consumed);
    }

    [Theory]
    [InlineData("00023c40")] // extension block of 2 bytes holding a key and a cut value
    [InlineData("00013d")] // odd key without its length
    [InlineData("00033d05aa")] // odd key whose length runs past the block
    [InlineData("00000002")] // status 2 is undefined
    [InlineData("00c0000000000100000401020304")] // extension block past the local limit
    public void DataReader_MalformedObject_ThrowsProtocolViolation(string objectHex)
    {
        var cursor = new MoqtSubgroupCursor(new MoqtSubgroupHeader(1, 0, 0, 128, MoqtSubgroupIdMode.Zero, HasExtensions: true));
        AssertViolation(() => MoqtDataReader.TryReadSubgroupObjectHeader(Hex(objectHex), ref cursor, out _), MoqtSessionErrorCode.ProtocolViolation);
        Assert.Null(cursor.LastObjectId);
    }

    [Theory]
    [InlineData("0801020080aa")] // type 0x08
    [InlineData("2201020080")] // type 0x22
    [InlineData("01010200800004aa")] // extensions flagged, block of 0 bytes
    [InlineData("20010200800105")] // status datagram with a trailing byte
    public void DataReader_MalformedDatagram_ThrowsProtocolViolation(string hex) =>
        AssertViolation(() => MoqtDataReader.TryReadDatagram(Hex(hex), out _), MoqtSessionErrorCode.ProtocolViolation);

    [Fact]
    public void DataReader_ObjectIdDeltaOverflow_ThrowsProtocolViolation()
    {
        var cursor = new MoqtSubgroupCursor(new MoqtSubgroupHeader(1, 0, 0, 128, MoqtSubgroupIdMode.Zero, HasExtensions: false))
        {
            LastObjectId = QuicVarint.MaxValue - 1,
        };
        AssertViolation(() => MoqtDataReader.TryReadSubgroupObjectHeader(Hex("050100"), ref cursor, out _), MoqtSessionErrorCode.ProtocolViolation);
    }

    private static byte[] Frame(ulong type, ReadOnlySpan<byte> payload)
    {
        var w = new ArrayBufferWriter<byte>();
        w.WriteVarint(type);
        w.WriteUInt16((ushort)payload.Length);
        w.Write(payload);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Rewrites the 16-bit length of a one-byte-type frame to match its payload.</summary>
    private static byte[] FixLength(byte[] frame) => Frame(frame[0], frame.AsSpan(3));
}
