using System.Buffers;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Benchmarks.Moqt;

/// <summary>
/// MoQT draft-14 codec: the per-frame object path (a 20 ms Opus object with the capture-timestamp extension, which
/// must allocate nothing) and SUBSCRIBE encode/decode on the control path.
/// </summary>
[MemoryDiagnoser]
public class MoqtCodecBenchmarks
{
    private static readonly MoqtSubgroupHeader Header =
        new(TrackAlias: 7, GroupId: 1234, SubgroupId: 0, PublisherPriority: 128, MoqtSubgroupIdMode.Zero, HasExtensions: true);

    private readonly byte[] _opus = new byte[80]; // 20 ms of 32 kbit/s Opus
    private readonly ArrayBufferWriter<byte> _out = new(4096);
    private byte[] _object = [];
    private byte[] _subscribeFrame = [];
    private SubscribeMessage _subscribe = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_opus);
        var writer = new ArrayBufferWriter<byte>();
        var cursor = new MoqtSubgroupCursor(Header) { LastObjectId = 16 };
        Span<byte> ext = stackalloc byte[16];
        var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, 1_748_779_200_000_000);
        MoqtDataWriter.WriteSubgroupObject(writer, ref cursor, 17, ext[..n], _opus);
        _object = writer.WrittenSpan.ToArray();

        _subscribe = new SubscribeMessage
        {
            RequestId = 42,
            Track = FullTrackName.Uplink("c0ffee-call-1234"),
            SubscriberPriority = 10,
            GroupOrder = MoqtGroupOrder.Ascending,
            Forward = true,
            Filter = MoqtSubscriptionFilter.LargestObject,
            Parameters = MoqtParameters.ForMessage(deliveryTimeoutMs: 200, tokens: MoqtAuthorizationToken.UseValue(1, new byte[160])),
        };
        _subscribeFrame = MoqtControlMessageWriter.Draft14.ToArray(_subscribe);
    }

    [Benchmark(Description = "Opus object header+payload encode (timestamp ext)")]
    public int EncodeOpusObject()
    {
        _out.ResetWrittenCount();
        var cursor = new MoqtSubgroupCursor(Header) { LastObjectId = 16 };
        Span<byte> ext = stackalloc byte[16];
        var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, 1_748_779_200_000_000);
        MoqtDataWriter.WriteSubgroupObject(_out, ref cursor, 17, ext[..n], _opus);
        return _out.WrittenCount;
    }

    [Benchmark(Description = "Opus object header decode (timestamp ext, payload by reference)")]
    public ulong DecodeOpusObject()
    {
        var cursor = new MoqtSubgroupCursor(Header) { LastObjectId = 16 };
        MoqtDataReader.TryReadSubgroupObjectHeader(_object, ref cursor, out var obj);
        return obj.CaptureTimestampMicros.GetValueOrDefault() + (ulong)obj.PayloadLength;
    }

    [Benchmark(Description = "SUBSCRIBE encode")]
    public int EncodeSubscribe()
    {
        _out.ResetWrittenCount();
        return MoqtControlMessageWriter.Draft14.Write(_out, _subscribe);
    }

    [Benchmark(Description = "SUBSCRIBE decode")]
    public ulong DecodeSubscribe()
    {
        MoqtControlMessageReader.Draft14.TryRead(_subscribeFrame, out var message, out _);
        return ((SubscribeMessage)message!).RequestId;
    }
}
