using System.Buffers;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Tests.WebTransport;

/// <summary>
/// A hand-written HTTP/3 client on raw in-memory streams that sends exactly what Chromium 156 sends
/// (/work/shared/notes/webtransport-chromium.md): GREASE setting and frame, QPACK streams that stay silent,
/// Huffman-coded header values, a GREASE capsule after CONNECT.
/// </summary>
internal sealed class WebTransportTestPeer : IAsyncDisposable
{
    private WebTransportTestPeer(IMoqtTransportConnection raw, IMoqtTransportConnection serverRaw)
    {
        Raw = raw;
        ServerRaw = serverRaw;
    }

    public IMoqtTransportConnection Raw { get; }

    public IMoqtTransportConnection ServerRaw { get; }

    public IMoqtStream? Control { get; private set; }

    public IMoqtStream? Connect { get; private set; }

    public List<IMoqtStream> Extra { get; } = [];

    public static WebTransportTestPeer Create()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        return new WebTransportTestPeer(client, server);
    }

    /// <summary>Chromium's SETTINGS (plus one GREASE setting) followed by a reserved frame type.</summary>
    public async Task SendChromiumSettingsAsync(CancellationToken ct)
    {
        Control = await Raw.OpenUnidirectionalStreamAsync(ct);
        var w = Control.Output!;
        QuicVarint.Write(w, 0x00);
        Http3FrameCodec.WriteSettings(w, new (ulong, ulong)[]
        {
            (0x01, 65536), (0x06, 16384), (0x07, 100), (0x33, 1), (0xffd277, 1), (0x2b603742, 1), (0x1f * 3 + 0x21, 77),
        });

        // RFC 9114 §7.2.8: reserved frame types 0x1f * N + 0x21 are GREASE.
        QuicVarint.Write(w, 0x1f * 5 + 0x21);
        QuicVarint.Write(w, 3);
        w.Write(new byte[] { 1, 2, 3 });
        await w.FlushAsync(ct);

        // QPACK encoder and decoder streams: the decoder never carries a byte beyond its type.
        var encoder = await Raw.OpenUnidirectionalStreamAsync(ct);
        QuicVarint.Write(encoder.Output!, 0x02);
        await encoder.Output!.FlushAsync(ct);
        var decoder = await Raw.OpenUnidirectionalStreamAsync(ct);
        await decoder.Output!.FlushAsync(ct);
        Extra.Add(encoder);
        Extra.Add(decoder);
    }

    /// <summary>Reads the server's control stream type and SETTINGS.</summary>
    public async Task<Dictionary<ulong, ulong>> ReadServerSettingsAsync(CancellationToken ct)
    {
        var stream = await Raw.AcceptStreamAsync(ct);
        Assert.NotNull(stream);
        Assert.False(stream.IsBidirectional);
        Extra.Add(stream);
        Assert.Equal(0UL, await Http3StreamReader.ReadVarintAsync(stream.Input!, ct));
        var frame = await Http3StreamReader.ReadFrameAsync(stream.Input!, _ => true, 4096, ct);
        Assert.Equal((ulong)Http3FrameType.Settings, frame!.Value.Type);
        var settings = new Dictionary<ulong, ulong>();
        Assert.True(Http3FrameCodec.TryParseSettings(new ReadOnlySequence<byte>(frame.Value.Payload), settings));
        return settings;
    }

    /// <summary>Chromium's CONNECT: static-table references, Huffman-coded values, literal names for the rest.</summary>
    public async Task SendConnectAsync(string path, string? availableProtocols, CancellationToken ct, bool greaseCapsule = true)
    {
        Connect = await Raw.OpenBidirectionalStreamAsync(ct);
        var block = new ArrayBufferWriter<byte>();
        QpackHeaderCodec.WritePrefix(block);
        HuffmanLiteralWithStaticName(block, 23, "https");
        QpackHeaderCodec.WriteIndexedStatic(block, 15);
        HuffmanLiteralWithStaticName(block, 0, "127.0.0.1:4433");
        HuffmanLiteralWithStaticName(block, 1, path);
        HuffmanLiteral(block, ":protocol", "webtransport");
        HuffmanLiteral(block, "sec-webtransport-http3-draft02", "1");
        HuffmanLiteralWithStaticName(block, 90, "http://127.0.0.1:8080");
        if (availableProtocols is not null)
        {
            HuffmanLiteral(block, "wt-available-protocols", availableProtocols);
        }

        var w = Connect.Output!;
        Http3FrameCodec.WriteHeader(w, Http3FrameType.Headers, block.WrittenCount);
        w.Write(block.WrittenSpan);
        if (greaseCapsule)
        {
            // A DATA frame with a capsule of a type nobody defines (RFC 9297 §3.2: unknown capsules are skipped).
            var capsule = new byte[] { 0x40 | 0x01, 0x02, 0x02, 0xAA, 0xBB };
            Http3FrameCodec.WriteHeader(w, Http3FrameType.Data, capsule.Length);
            w.Write(capsule);
        }

        await w.FlushAsync(ct);
    }

    /// <summary>Reads the response HEADERS on the CONNECT stream.</summary>
    public async Task<(int Status, string? Protocol, List<QpackField> Fields)> ReadResponseAsync(CancellationToken ct)
    {
        var frame = await Http3StreamReader.ReadFrameAsync(Connect!.Input!, t => t == 1, 4096, ct);
        Assert.NotNull(frame);
        var fields = new List<QpackField>();
        Assert.Equal(QpackStatus.Success, QpackHeaderCodec.TryDecode(frame.Value.Payload, fields));
        var (status, protocol) = WebTransportHeaders.ReadResponse(fields);
        return (status, protocol, fields);
    }

    /// <summary>Opens a WebTransport stream the way Chromium does: 2-byte signal/type, then the session id.</summary>
    public async Task<IMoqtStream> OpenWebTransportStreamAsync(bool bidirectional, CancellationToken ct)
    {
        var stream = bidirectional ? await Raw.OpenBidirectionalStreamAsync(ct) : await Raw.OpenUnidirectionalStreamAsync(ct);
        stream.Output!.Write(bidirectional ? new byte[] { 0x40, 0x41 } : new byte[] { 0x40, 0x54 });
        QuicVarint.Write(stream.Output!, (ulong)Connect!.StreamId);
        await stream.Output!.FlushAsync(ct);
        return stream;
    }

    public async Task SendCloseAsync(uint code, string reason, CancellationToken ct)
    {
        WebTransportCapsules.WriteCloseInDataFrame(Connect!.Output!, code, reason);
        await Connect.CompleteWritesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Extra)
        {
            await s.DisposeAsync();
        }

        await Raw.DisposeAsync();
        await ServerRaw.DisposeAsync();
    }

    private static void HuffmanLiteralWithStaticName(IBufferWriter<byte> writer, int index, string value)
    {
        // RFC 9204 §4.5.4: 01 N T index(4), then H + length(7) + Huffman string.
        QpackHeaderCodec.WriteInteger(writer, 0x50, 4, (ulong)index);
        HuffmanString(writer, 0x80, 7, value);
    }

    private static void HuffmanLiteral(IBufferWriter<byte> writer, string name, string value)
    {
        // RFC 9204 §4.5.6: 001 N H length(3) name, then the value; both Huffman-coded.
        HuffmanString(writer, 0x28, 3, name);
        HuffmanString(writer, 0x80, 7, value);
    }

    private static void HuffmanString(IBufferWriter<byte> writer, byte flags, int prefixBits, string value)
    {
        var raw = System.Text.Encoding.ASCII.GetBytes(value);
        var encoded = new byte[HuffmanCodec.GetEncodedLength(raw)];
        var length = HuffmanCodec.Encode(raw, encoded);
        QpackHeaderCodec.WriteInteger(writer, flags, prefixBits, (ulong)length);
        writer.Write(encoded.AsSpan(0, length));
    }
}
