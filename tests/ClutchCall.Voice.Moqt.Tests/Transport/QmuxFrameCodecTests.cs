using System.Buffers;
using ClutchCall.Voice.Moqt.Transport.Qmux;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class QmuxFrameCodecTests
{
    [Fact]
    public void Stream_WithOffsetLengthFin_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteStream(writer, 4, 70_000, new byte[] { 1, 2, 3 }, fin: true);

        // RFC 9000 §19.8: type 0x0f (OFF|LEN|FIN), id 4, offset 70000 (4-byte varint), length 3.
        Assert.Equal(Convert.FromHexString("0F04800111700301020" + "3"), writer.WrittenSpan.ToArray());
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var frame, out var consumed));
        Assert.Equal(writer.WrittenCount, consumed);
        Assert.Equal(QmuxFrameType.Stream, frame.Type);
        Assert.Equal(4, frame.StreamId);
        Assert.Equal(70_000, frame.Offset);
        Assert.True(frame.Fin);
        Assert.Equal(new byte[] { 1, 2, 3 }, frame.Data.ToArray());
    }

    [Fact]
    public void Stream_WithoutLength_RunsToEndOfRecord()
    {
        // Type 0x08: no OFF, no LEN, no FIN.
        var record = new byte[] { 0x08, 0x02, 0xAA, 0xBB };
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(record, out var frame, out var consumed));
        Assert.Equal(4, consumed);
        Assert.Equal(0, frame.Offset);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, frame.Data.ToArray());
    }

    [Fact]
    public void ResetStream_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteResetStream(writer, 3, 0x2a, 1000);
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var frame, out _));
        Assert.Equal((QmuxFrameType.ResetStream, 3L, 0x2aL, 1000L), (frame.Type, frame.StreamId, frame.ErrorCode, frame.Value));
    }

    [Fact]
    public void ResetStreamAt_ReliableSizeAboveFinalSize_IsInvalid()
    {
        var record = new byte[] { 0x24, 0x00, 0x01, 0x05, 0x06 };
        Assert.Equal(QmuxReadStatus.Invalid, QmuxFrameReader.TryRead(record, out _, out _));
    }

    [Fact]
    public void Close_ApplicationAndTransport_RoundTripReason()
    {
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteClose(writer, application: true, 7, "bye");
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var app, out _));
        Assert.Equal((QmuxFrameType.ApplicationClose, 7L, "bye"), (app.Type, app.ErrorCode, System.Text.Encoding.UTF8.GetString(app.Data)));

        writer.ResetWrittenCount();
        QmuxFrameWriter.WriteClose(writer, application: false, QmuxErrorCode.FlowControlError, "window");
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var transport, out _));
        Assert.Equal((QmuxFrameType.ConnectionClose, QmuxErrorCode.FlowControlError), (transport.Type, transport.ErrorCode));
        Assert.Equal("window", System.Text.Encoding.UTF8.GetString(transport.Data));
    }

    [Fact]
    public void Close_LongReason_IsTruncated()
    {
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteClose(writer, application: true, 1, new string('x', 5000), maxReasonBytes: 100);
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var frame, out _));
        Assert.Equal(100, frame.Data.Length);
    }

    [Theory]
    [InlineData(0x10UL, 123456L)]
    [InlineData(0x12UL, 100L)]
    [InlineData(0x13UL, 1000L)]
    [InlineData(0x348c67529ef8c7bdUL, 9L)]
    [InlineData(0x348c67529ef8c7beUL, 9L)]
    public void ValueFrames_RoundTrip(ulong wireType, long value)
    {
        var type = (QmuxFrameType)wireType;
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteValue(writer, type, value);
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var frame, out var consumed));
        Assert.Equal((type, value, writer.WrittenCount), (frame.Type, frame.Value, consumed));
    }

    [Fact]
    public void MaxStreams_Above2Pow60_IsInvalid()
    {
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteValue(writer, QmuxFrameType.MaxStreamsBidi, (1L << 60) + 1);
        Assert.Equal(QmuxReadStatus.Invalid, QmuxFrameReader.TryRead(writer.WrittenSpan, out _, out _));
    }

    [Fact]
    public void UnknownFrameType_IsReported()
    {
        Assert.Equal(QmuxReadStatus.UnknownType, QmuxFrameReader.TryRead(new byte[] { 0x06, 0x00 }, out _, out _));
    }

    [Fact]
    public void TransportParameters_RoundTripAndSkipUnknown()
    {
        var parameters = QmuxTransportParameters.FromLimits(ClutchCall.Voice.Moqt.Transport.MoqtTransportLimits.Default);
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteTransportParameters(writer, parameters, QmuxVersion.Draft01);

        // QX_TRANSPORT_PARAMETERS is an 8-byte varint type 0x3f5153300d0a0d0a (leading bytes ff 51 53 30 0d 0a 0d 0a).
        Assert.Equal(Convert.FromHexString("FF5153300D0A0D0A"), writer.WrittenSpan[..8].ToArray());
        Assert.Equal(QmuxReadStatus.Success, QmuxFrameReader.TryRead(writer.WrittenSpan, out var frame, out _));
        Assert.Equal(QmuxFrameType.TransportParameters, frame.Type);
        Assert.True(QmuxTransportParameters.TryParse(frame.Data, out var parsed));
        Assert.Equal(parameters, parsed);

        // An unknown (GREASE-style) id is skipped; a duplicate known id is rejected.
        var body = new List<byte>(frame.Data.ToArray()) { 0x40, 0x5b, 0x01, 0x00 };
        Assert.True(QmuxTransportParameters.TryParse(body.ToArray(), out _));
        var duplicate = new List<byte>(frame.Data.ToArray()) { 0x04, 0x01, 0x05 };
        Assert.False(QmuxTransportParameters.TryParse(duplicate.ToArray(), out _));
    }

    [Fact]
    public void TransportParameters_ForbiddenQuicParameter_IsRejected()
    {
        // 0x00 original_destination_connection_id belongs to QUIC's handshake.
        Assert.False(QmuxTransportParameters.TryParse(new byte[] { 0x00, 0x01, 0x00 }, out _));
    }

    [Fact]
    public void Subprotocol_ServerPrefersItsApplicationThenNewestVersion()
    {
        var selected = QmuxSubprotocol.Select(["qmux-00.moqt-16, qmux-01.moq-00", "qmux-00.moq-00", "qmux-01", "webtransport"], ["moq-00"]);
        Assert.NotNull(selected);
        Assert.Equal(("qmux-01.moq-00", QmuxVersion.Draft01, "moq-00"), (selected.Value, selected.Version, selected.ApplicationProtocol));
        Assert.Equal("qmux-01", QmuxSubprotocol.Select(["qmux-00.moqt-16", "qmux-01", "qmux-00"], ["moq-00"])!.Value);
        Assert.Null(QmuxSubprotocol.Select(["webtransport", "chat"], ["moq-00"]));
        Assert.Equal(["qmux-02.moq-00", "qmux-01.moq-00", "qmux-00.moq-00", "qmux-02", "qmux-01", "qmux-00"], QmuxSubprotocol.Offer(["moq-00"]));
    }

    [Fact]
    public void Fuzz_RandomAndMutatedRecords_NeverThrow()
    {
        var random = new Random(20261122);
        var seeds = new List<byte[]>();
        var writer = new ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteStream(writer, 8, 12, new byte[40], fin: true);
        seeds.Add(writer.WrittenSpan.ToArray());
        writer.ResetWrittenCount();
        QmuxFrameWriter.WriteTransportParameters(writer, QmuxTransportParameters.FromLimits(ClutchCall.Voice.Moqt.Transport.MoqtTransportLimits.Default), QmuxVersion.Draft02);
        seeds.Add(writer.WrittenSpan.ToArray());
        writer.ResetWrittenCount();
        QmuxFrameWriter.WriteClose(writer, false, 7, "reason");
        seeds.Add(writer.WrittenSpan.ToArray());
        writer.ResetWrittenCount();
        QmuxFrameWriter.WriteResetStream(writer, 1, 2, 3);
        QmuxFrameWriter.WriteStreamValue(writer, QmuxFrameType.MaxStreamData, 1, 99);
        seeds.Add(writer.WrittenSpan.ToArray());

        var successes = 0;
        for (var i = 0; i < 50_000; i++)
        {
            byte[] record;
            if (i % 2 == 0)
            {
                record = new byte[random.Next(0, 64)];
                random.NextBytes(record);
            }
            else
            {
                record = (byte[])seeds[random.Next(seeds.Count)].Clone();
                for (var m = random.Next(1, 4); m > 0 && record.Length > 0; m--)
                {
                    record[random.Next(record.Length)] = (byte)random.Next(256);
                }

                if (random.Next(4) == 0)
                {
                    Array.Resize(ref record, random.Next(record.Length + 1));
                }
            }

            // A record is a sequence of frames; decode until the end or the first failure.
            var span = (ReadOnlySpan<byte>)record;
            while (!span.IsEmpty)
            {
                var status = QmuxFrameReader.TryRead(span, out var frame, out var consumed);
                if (status != QmuxReadStatus.Success)
                {
                    break;
                }

                Assert.InRange(consumed, 1, span.Length);
                Assert.InRange(frame.Data.Length, 0, span.Length);
                if (frame.Type == QmuxFrameType.TransportParameters)
                {
                    QmuxTransportParameters.TryParse(frame.Data, out _);
                }

                successes++;
                span = span[consumed..];
            }
        }

        Assert.True(successes > 1000, $"only {successes} frames decoded: the fuzzer is not reaching the decoders");
    }
}
