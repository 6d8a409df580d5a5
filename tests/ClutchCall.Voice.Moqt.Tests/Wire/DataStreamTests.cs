using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;
using static ClutchCall.Voice.Moqt.Tests.Wire.WireTestHelpers;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

public sealed class DataStreamTests
{
    private static readonly MoqtSubgroupHeader AudioHeader =
        new(TrackAlias: 7, GroupId: 42, SubgroupId: 0, PublisherPriority: 128, MoqtSubgroupIdMode.Zero, HasExtensions: true);

    [Fact]
    public void CaptureTimestamp_WrittenOnObject_IsReadBackFromHeader()
    {
        var micros = (ulong)DateTimeOffset.Parse("2025-06-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000;
        var writer = new ArrayBufferWriter<byte>();
        var cursor = new MoqtSubgroupCursor(AudioHeader);
        MoqtDataWriter.WriteSubgroupHeader(writer, AudioHeader);
        Span<byte> ext = stackalloc byte[16];
        var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, micros);
        var payload = new byte[80];
        Random.Shared.NextBytes(payload);
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 0, ext[..n], payload);

        var bytes = writer.WrittenSpan.ToArray();
        Assert.True(MoqtDataReader.TryReadStreamHeader(bytes, out var stream, out var offset));
        var read = new MoqtSubgroupCursor(stream.Subgroup);
        Assert.True(MoqtDataReader.TryReadSubgroupObjectHeader(bytes.AsSpan(offset), ref read, out var obj));

        Assert.Equal(micros, obj.CaptureTimestampMicros);
        Assert.True(MoqtExtensionHeaders.TryGetCaptureTimestamp(bytes.AsSpan(offset + obj.ExtensionsOffset, obj.ExtensionsLength), out var again));
        Assert.Equal(micros, again);
        Assert.Equal(12, MoqtExtensionHeaders.CaptureTimestampLength(micros));
        Assert.Equal(ToHex(payload), ToHex(bytes.AsSpan(offset + obj.HeaderLength, obj.PayloadLength)));
        Assert.Equal(new Location(42, 0), obj.Location);
    }

    [Fact]
    public void SubgroupObject_PayloadArrivingInPieces_HeaderReadyFirstWholeObjectLater()
    {
        var writer = new ArrayBufferWriter<byte>();
        var cursor = new MoqtSubgroupCursor(AudioHeader);
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 3, default, new byte[100]);
        var bytes = writer.WrittenSpan.ToArray();

        var partial = new ReadOnlySequence<byte>(bytes, 0, 10);
        var reading = new MoqtSubgroupCursor(AudioHeader);
        Assert.True(MoqtDataReader.TryReadSubgroupObjectHeader(partial, ref reading, out var header));
        Assert.Equal(100, header.PayloadLength);

        var fresh = new MoqtSubgroupCursor(AudioHeader);
        Assert.False(MoqtDataReader.TryReadSubgroupObject(ref partial, ref fresh, out _, out _));
        Assert.Null(fresh.LastObjectId); // nothing committed on partial input
        Assert.Equal(10, partial.Length);

        var whole = Segmented(bytes, 7);
        Assert.True(MoqtDataReader.TryReadSubgroupObject(ref whole, ref fresh, out var obj, out var payload));
        Assert.Equal(3UL, obj.ObjectId);
        Assert.Equal(100, payload.Length);
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void SubgroupWriter_ObjectIdsOutOfOrder_Throws()
    {
        var cursor = new MoqtSubgroupCursor(AudioHeader);
        var writer = new ArrayBufferWriter<byte>();
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 5, default, new byte[1]);
        Assert.Throws<ArgumentException>(() => MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 5, default, new byte[1]));
    }

    [Fact]
    public void SubgroupWriter_FirstObjectIdMode_ResolvesSubgroupId()
    {
        var header = AudioHeader with { SubgroupIdMode = MoqtSubgroupIdMode.FirstObjectId };
        var cursor = new MoqtSubgroupCursor(header);
        var writer = new ArrayBufferWriter<byte>();
        MoqtDataWriter.WriteSubgroupHeader(writer, header);
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 9, default, new byte[1]);
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 10, default, new byte[1]);

        var seq = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(MoqtDataReader.TryReadStreamHeader(ref seq, out var stream));
        var read = new MoqtSubgroupCursor(stream.Subgroup);
        Assert.True(MoqtDataReader.TryReadSubgroupObject(ref seq, ref read, out var first, out _));
        Assert.True(MoqtDataReader.TryReadSubgroupObject(ref seq, ref read, out var second, out _));
        Assert.Equal((9UL, 9UL, 10UL, 9UL), (first.SubgroupId, first.ObjectId, second.ObjectId, second.SubgroupId));
    }

    [Fact]
    public void ObjectHeader_EncodeDecodeWithTimestamp_AllocatesNothing()
    {
        var writer = new ArrayBufferWriter<byte>(1024);
        var payload = new byte[80];
        Span<byte> ext = stackalloc byte[16];
        RoundTrip(writer, payload, ext); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            RoundTrip(writer, payload, ext);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void RoundTrip(ArrayBufferWriter<byte> writer, byte[] payload, Span<byte> ext)
        {
            writer.ResetWrittenCount();
            var cursor = new MoqtSubgroupCursor(AudioHeader);
            var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, 1_748_779_200_000_000);
            MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 17, ext[..n], payload);
            var read = new MoqtSubgroupCursor(AudioHeader);
            if (!MoqtDataReader.TryReadSubgroupObjectHeader(writer.WrittenSpan, ref read, out var obj) || obj.CaptureTimestampMicros is null)
            {
                throw new InvalidOperationException("round trip failed");
            }
        }
    }

    [Fact]
    public void Datagram_WithTimestamp_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        Span<byte> ext = stackalloc byte[16];
        var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, 123_456_789);
        MoqtDataWriter.WriteDatagram(writer, 3, 4, 0, 96, ext[..n], "opus"u8, endOfGroup: true, writeObjectId: false);

        Assert.True(MoqtDataReader.TryReadDatagram(writer.WrittenSpan, out var h));
        Assert.Equal((3UL, 4UL, 0UL, (byte)96, true, false), (h.TrackAlias, h.GroupId, h.ObjectId, h.PublisherPriority, h.EndOfGroup, h.HasObjectIdField));
        Assert.Equal(123_456_789UL, h.CaptureTimestampMicros);
        Assert.Equal("opus"u8.ToArray(), writer.WrittenSpan.Slice(h.PayloadOffset, h.PayloadLength).ToArray());
        Assert.Equal(0x07UL, h.DatagramType);
    }

    [Fact]
    public void Varint_EveryLengthBoundary_RoundTripsMinimally()
    {
        ulong[] values = [0, 63, 64, 16383, 16384, 1073741823, 1073741824, QuicVarint.MaxValue];
        int[] lengths = [1, 1, 2, 2, 4, 4, 8, 8];
        var buffer = new byte[8];
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(lengths[i], QuicVarint.Write(buffer, values[i]));
            Assert.True(QuicVarint.TryRead(buffer, out var v, out var read));
            Assert.Equal((values[i], lengths[i]), (v, read));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => QuicVarint.GetLength(QuicVarint.MaxValue + 1));
    }
}
