using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;
using static ClutchCall.Voice.Moqt.Tests.Wire.WireTestHelpers;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>
/// Every vector of shared/testdata/moqt/draft14/codec, both directions: decode(hex) equals the fields of
/// <c>decoded</c>; for canonical vectors encode(decoded) is exactly hex; error vectors fail the way the schema says.
/// </summary>
public sealed class CodecVectorTests
{
    // The corpus as delivered: 227 vectors in 35 files (varint, messages/*, data-streams/*).
    private const int ExpectedVectorCount = 227;

    [Fact]
    public void Corpus_EveryVector_Passes()
    {
        var vectors = CodecVectors.LoadAll();
        var failures = new List<string>();
        foreach (var v in vectors)
        {
            try
            {
                Check(v);
            }
            catch (Exception ex)
            {
                failures.Add($"{v} ({v.Description}): {ex.GetType().Name}: {ex.Message}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{vectors.Count - failures.Count}/{vectors.Count} vectors passed in {vectors.Select(v => v.File).Distinct().Count()} files.");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(ExpectedVectorCount, vectors.Count);
    }

    [Fact]
    public void Corpus_CoversEveryDraft14MessageType()
    {
        var seen = CodecVectors.LoadAll().Select(v => v.MessageType).ToHashSet();
        foreach (var type in Enum.GetValues<MoqtMessageType>())
        {
            var snake = string.Concat(type.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
            Assert.Contains(snake.Replace("go_away", "goaway", StringComparison.Ordinal), seen);
        }
    }

    private static void Check(CodecVector v)
    {
        switch (v.MessageType)
        {
            case "varint":
                CheckVarint(v);
                break;
            case "object":
                CheckDataStream(v);
                break;
            default:
                CheckControl(v);
                break;
        }
    }

    private static void CheckVarint(CodecVector v)
    {
        var ok = QuicVarint.TryRead(v.Bytes, out var value, out var read);
        var sequence = new SequenceReader<byte>(Segmented(v.Bytes, 1));
        var okSeq = QuicVarint.TryRead(ref sequence, out var valueSeq);
        if (v.Error is not null)
        {
            Assert.Equal("incomplete", v.Error);
            Assert.False(ok);
            Assert.False(okSeq);
            Assert.Equal(0, sequence.Consumed);
            return;
        }

        var expected = v.Decoded!.Value.U("value");
        Assert.True(ok && okSeq);
        Assert.Equal(expected, value);
        Assert.Equal(expected, valueSeq);
        Assert.Equal(v.Bytes.Length, read);
        if (v.Canonical)
        {
            var buffer = new byte[8];
            var n = QuicVarint.Write(buffer, expected);
            Assert.Equal(ToHex(v.Bytes), ToHex(buffer.AsSpan(0, n)));
            Assert.Equal(n, QuicVarint.GetLength(expected));
        }
        else
        {
            Assert.True(QuicVarint.GetLength(expected) < v.Bytes.Length, "a non-canonical vector is longer than minimal");
        }
    }

    private static void CheckControl(CodecVector v)
    {
        var reader = MoqtControlMessageReader.Draft14;
        if (v.Error is not null)
        {
            CheckControlError(v, reader);
            return;
        }

        // Decode over a span, a one-segment sequence and a one-byte-per-segment sequence.
        Assert.True(reader.TryRead(v.Bytes, out var decoded, out var consumed));
        Assert.Equal(v.Bytes.Length, consumed);
        var single = new ReadOnlySequence<byte>(v.Bytes);
        Assert.True(reader.TryRead(ref single, out var decodedSeq));
        Assert.True(single.IsEmpty);
        var segmented = Segmented(v.Bytes, 1);
        Assert.True(reader.TryRead(ref segmented, out var decodedSegmented));
        Assert.True(segmented.IsEmpty);

        var expected = VectorMessageBuilder.Build(v.MessageType, v.Decoded!.Value);
        Assert.Equal(Describe(expected), Describe(decoded));
        Assert.Equal(Describe(expected), Describe(decodedSeq));
        Assert.Equal(Describe(expected), Describe(decodedSegmented));
        Assert.Equal(expected.Type, decoded.Type);

        var encoded = MoqtControlMessageWriter.Draft14.ToArray(expected);
        if (v.Canonical)
        {
            Assert.Equal(ToHex(v.Bytes), ToHex(encoded));
        }
        else
        {
            // Non-canonical input decodes to the same fields; re-encoding gives the shorter canonical form.
            Assert.True(encoded.Length < v.Bytes.Length);
            Assert.Equal(ToHex(encoded), ToHex(MoqtControlMessageWriter.Draft14.ToArray(decoded)));
        }
    }

    private static void CheckControlError(CodecVector v, MoqtControlMessageReader reader)
    {
        switch (v.Error)
        {
            case "incomplete":
                {
                    // A frame whose declared length is not all there yet is partial input (false); a complete frame whose
                    // payload runs out first has a length that disagrees with its content (PROTOCOL_VIOLATION, §9).
                    QuicVarint.TryRead(v.Bytes, out _, out var typeLength);
                    var declared = BinaryPrimitives.ReadUInt16BigEndian(v.Bytes.AsSpan(typeLength));
                    if (v.Bytes.Length < typeLength + 2 + declared)
                    {
                        Assert.False(reader.TryRead(v.Bytes, out _, out _));
                        var seq = Segmented(v.Bytes, 1);
                        Assert.False(reader.TryRead(ref seq, out _));
                        Assert.Equal(v.Bytes.Length, seq.Length);
                    }
                    else
                    {
                        AssertViolation(() => reader.TryRead(v.Bytes, out _, out _), MoqtSessionErrorCode.ProtocolViolation);
                    }

                    break;
                }

            case "invalid_value":
            case "unknown_message":
                AssertViolation(() => reader.TryRead(v.Bytes, out _, out _), MoqtSessionErrorCode.ProtocolViolation);
                var segmented = Segmented(v.Bytes, 1);
                AssertViolation(() => reader.TryRead(ref segmented, out _), MoqtSessionErrorCode.ProtocolViolation);
                break;
            default:
                throw new InvalidOperationException($"Unhandled error category {v.Error}.");
        }
    }

    private static void CheckDataStream(CodecVector v)
    {
        if (v.Error is not null)
        {
            Assert.Equal("incomplete", v.Error);
            if (v.File.Contains("datagram", StringComparison.Ordinal))
            {
                Assert.False(MoqtDataReader.TryReadDatagram(v.Bytes, out _));
                return;
            }

            // The stream header or the first object is cut short: partial input, never an exception.
            if (MoqtDataReader.TryReadStreamHeader(v.Bytes, out var header, out var consumed))
            {
                var rest = v.Bytes.AsSpan(consumed);
                if (header.Kind == MoqtDataStreamKind.Fetch)
                {
                    Assert.False(MoqtDataReader.TryReadFetchObjectHeader(rest, out _));
                }
                else
                {
                    var cursor = new MoqtSubgroupCursor(header.Subgroup);
                    Assert.False(MoqtDataReader.TryReadSubgroupObjectHeader(rest, ref cursor, out _));
                }
            }

            return;
        }

        var d = v.Decoded!.Value;
        switch (d.S("stream_type"))
        {
            case "subgroup_header":
                CheckSubgroup(v, d);
                break;
            case "fetch_header":
                CheckFetch(v, d);
                break;
            default:
                CheckDatagram(v, d);
                break;
        }
    }

    private static void CheckSubgroup(CodecVector v, JsonElement d)
    {
        // Decode.
        Assert.True(MoqtDataReader.TryReadStreamHeader(v.Bytes, out var stream, out var offset));
        Assert.Equal(MoqtDataStreamKind.Subgroup, stream.Kind);
        var h = stream.Subgroup;
        Assert.Equal(d.U("stream_type_id"), h.StreamType);
        Assert.Equal(d.U("track_alias"), h.TrackAlias);
        Assert.Equal(d.U("group_id"), h.GroupId);
        Assert.Equal((byte)d.U("publisher_priority"), h.PublisherPriority);
        var cursor = new MoqtSubgroupCursor(h);
        var expectedObjects = d.GetProperty("objects").EnumerateArray().ToList();
        ulong? previous = null;
        foreach (var o in expectedObjects)
        {
            Assert.True(MoqtDataReader.TryReadSubgroupObjectHeader(v.Bytes.AsSpan(offset), ref cursor, out var obj));
            CheckObject(v.Bytes.AsSpan(offset), obj, o);
            var delta = previous is { } p ? obj.ObjectId - p - 1 : obj.ObjectId;
            Assert.Equal(o.U("object_id_delta"), delta);
            previous = obj.ObjectId;
            offset += obj.TotalLength;
        }

        Assert.Equal(v.Bytes.Length, offset);
        Assert.Equal(d.U("subgroup_id"), cursor.SubgroupId);

        // Decode again through the sequence API, one byte per segment, payloads as slices.
        var seq = Segmented(v.Bytes, 1);
        Assert.True(MoqtDataReader.TryReadStreamHeader(ref seq, out var stream2));
        var cursor2 = new MoqtSubgroupCursor(stream2.Subgroup);
        foreach (var o in expectedObjects)
        {
            Assert.True(MoqtDataReader.TryReadSubgroupObject(ref seq, ref cursor2, out var obj, out var payload));
            Assert.Equal(o.U("object_id"), obj.ObjectId);
            Assert.Equal(ToHex(o.HexOf("payload_hex")), ToHex(payload.ToArray()));
        }

        Assert.True(seq.IsEmpty);

        // Encode from the vector's fields.
        MoqtSubgroupHeader.TryDecodeStreamType(d.U("stream_type_id"), out var mode, out var ext, out var eog);
        var header = new MoqtSubgroupHeader(d.U("track_alias"), d.U("group_id"), mode == MoqtSubgroupIdMode.Explicit ? d.U("subgroup_id") : 0,
            (byte)d.U("publisher_priority"), mode, ext, eog);
        var writer = new ArrayBufferWriter<byte>();
        MoqtDataWriter.WriteSubgroupHeader(writer, header);
        var writeCursor = new MoqtSubgroupCursor(header);
        foreach (var o in expectedObjects)
        {
            MoqtDataWriter.WriteSubgroupObject(writer, ref writeCursor, o.U("object_id"), ExtensionBlock(o), o.HexOf("payload_hex"),
                (MoqtObjectStatus)(o.OptU("object_status") ?? 0));
        }

        Assert.Equal(ToHex(v.Bytes), ToHex(writer.WrittenSpan));
        Assert.Equal(d.U("subgroup_id"), writeCursor.SubgroupId);
    }

    private static void CheckFetch(CodecVector v, JsonElement d)
    {
        Assert.True(MoqtDataReader.TryReadStreamHeader(v.Bytes, out var stream, out var offset));
        Assert.Equal(MoqtDataStreamKind.Fetch, stream.Kind);
        Assert.Equal(d.U("request_id"), stream.FetchRequestId);
        var expectedObjects = d.GetProperty("objects").EnumerateArray().ToList();
        foreach (var o in expectedObjects)
        {
            Assert.True(MoqtDataReader.TryReadFetchObjectHeader(v.Bytes.AsSpan(offset), out var obj));
            CheckObject(v.Bytes.AsSpan(offset), obj, o);
            Assert.Equal(o.U("group_id"), obj.GroupId);
            Assert.Equal(o.U("subgroup_id"), obj.SubgroupId);
            Assert.Equal((byte)o.U("publisher_priority"), obj.PublisherPriority);
            offset += obj.TotalLength;
        }

        Assert.Equal(v.Bytes.Length, offset);

        var seq = Segmented(v.Bytes, 2);
        Assert.True(MoqtDataReader.TryReadStreamHeader(ref seq, out _));
        foreach (var o in expectedObjects)
        {
            Assert.True(MoqtDataReader.TryReadFetchObject(ref seq, out var obj, out var payload));
            Assert.Equal(o.U("object_id"), obj.ObjectId);
            Assert.Equal(ToHex(o.HexOf("payload_hex")), ToHex(payload.ToArray()));
        }

        Assert.True(seq.IsEmpty);

        var writer = new ArrayBufferWriter<byte>();
        MoqtDataWriter.WriteFetchHeader(writer, d.U("request_id"));
        foreach (var o in expectedObjects)
        {
            MoqtDataWriter.WriteFetchObject(writer, o.U("group_id"), o.U("subgroup_id"), o.U("object_id"), (byte)o.U("publisher_priority"),
                ExtensionBlock(o), o.HexOf("payload_hex"), (MoqtObjectStatus)(o.OptU("object_status") ?? 0));
        }

        Assert.Equal(ToHex(v.Bytes), ToHex(writer.WrittenSpan));
    }

    private static void CheckDatagram(CodecVector v, JsonElement d)
    {
        Assert.True(MoqtDataReader.TryReadDatagram(v.Bytes, out var h));
        Assert.Equal(d.U("stream_type_id"), h.DatagramType);
        Assert.Equal(d.S("stream_type") == "object_datagram_status", h.IsStatus);
        Assert.Equal(d.U("track_alias"), h.TrackAlias);
        Assert.Equal(d.U("group_id"), h.GroupId);
        Assert.Equal(d.OptU("object_id") ?? 0, h.ObjectId);
        Assert.Equal(d.TryGetProperty("object_id", out _), h.HasObjectIdField);
        Assert.Equal((byte)d.U("publisher_priority"), h.PublisherPriority);
        Assert.Equal(d.OptU("extension_headers_length") ?? 0, (ulong)h.ExtensionsLength);
        Assert.Equal(ToHex(ExtensionBlock(d)), ToHex(v.Bytes.AsSpan(h.ExtensionsOffset, h.ExtensionsLength)));
        Assert.Equal(d.OptU("object_status") ?? 0, (ulong)h.Status);
        Assert.Equal(ToHex(d.HexOf("payload_hex")), ToHex(v.Bytes.AsSpan(h.PayloadOffset, h.PayloadLength)));

        var writer = new ArrayBufferWriter<byte>();
        MoqtDataWriter.WriteDatagram(writer, d.U("track_alias"), d.U("group_id"), d.OptU("object_id") ?? 0, (byte)d.U("publisher_priority"),
            ExtensionBlock(d), d.HexOf("payload_hex"), h.EndOfGroup, (MoqtObjectStatus)(d.OptU("object_status") ?? 0),
            writeObjectId: d.TryGetProperty("object_id", out _));
        Assert.Equal(ToHex(v.Bytes), ToHex(writer.WrittenSpan));
    }

    private static void CheckObject(ReadOnlySpan<byte> buffer, MoqtObjectHeader obj, JsonElement o)
    {
        Assert.Equal(o.U("object_id"), obj.ObjectId);
        Assert.Equal(o.U("payload_length"), (ulong)obj.PayloadLength);
        Assert.Equal(ToHex(o.HexOf("payload_hex")), ToHex(buffer.Slice(obj.HeaderLength, obj.PayloadLength)));
        Assert.Equal(o.OptU("object_status") ?? 0, (ulong)obj.Status);
        Assert.Equal(o.OptU("extension_headers_length") ?? 0, (ulong)obj.ExtensionsLength);
        var block = buffer.Slice(obj.ExtensionsOffset, obj.ExtensionsLength);
        Assert.Equal(ToHex(ExtensionBlock(o)), ToHex(block));
        if (o.TryGetProperty("extension_headers", out var list))
        {
            var expected = list.EnumerateArray().Select(e => (e.U("type"), e.U("value"))).ToList();
            var actual = new List<(ulong, ulong)>();
            foreach (var e in new MoqtExtensionHeaders.Enumerator(block))
            {
                actual.Add((e.Key, e.Value));
            }

            Assert.Equal(expected, actual);
        }
    }

    /// <summary>The extension block a vector describes, either as raw hex or as a list of (even) key-value pairs.</summary>
    private static byte[] ExtensionBlock(JsonElement o)
    {
        if (o.TryGetProperty("extension_headers_hex", out _))
        {
            return o.HexOf("extension_headers_hex");
        }

        if (!o.TryGetProperty("extension_headers", out var list))
        {
            return [];
        }

        var buffer = new byte[256];
        var n = 0;
        foreach (var e in list.EnumerateArray())
        {
            n += MoqtExtensionHeaders.WriteVarint(buffer.AsSpan(n), e.U("type"), e.U("value"));
        }

        return buffer[..n];
    }

    internal static void AssertViolation(Action action, MoqtSessionErrorCode code)
    {
        var ex = Assert.Throws<MoqtProtocolException>(action);
        Assert.Equal(code, ex.Code);
    }
}
