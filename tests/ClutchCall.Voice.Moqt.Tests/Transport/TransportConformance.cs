using System.Buffers;
using System.IO.Pipelines;
using ClutchCall.Voice.Moqt.Transport;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

/// <summary>Behaviour every transport must show; run against each transport's connected pair.</summary>
internal static class TransportConformance
{
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken ct)
    {
        var output = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return output.WrittenSpan.ToArray();
            }
        }
    }

    public static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static async Task BidiEchoAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, int length, CancellationToken ct)
    {
        var payload = Pattern(length, length);
        var stream = await client.OpenBidirectionalStreamAsync(ct);
        var write = Task.Run(async () =>
        {
            await stream.Output!.WriteAsync(payload, ct);
            await stream.CompleteWritesAsync();
        }, ct);

        var accepted = await server.AcceptStreamAsync(ct);
        Assert.NotNull(accepted);
        Assert.True(accepted.IsBidirectional);
        Assert.False(accepted.IsLocallyInitiated);
        Assert.Equal(stream.StreamId, accepted.StreamId);
        var echo = Task.Run(async () =>
        {
            var received = await ReadToEndAsync(accepted.Input!, ct);
            await accepted.Output!.WriteAsync(received, ct);
            await accepted.CompleteWritesAsync();
        }, ct);

        var back = await ReadToEndAsync(stream.Input!, ct);
        await write;
        await echo;
        Assert.Equal(payload, back);
        await stream.DisposeAsync();
        await accepted.DisposeAsync();
    }

    public static async Task UniFromServerAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, CancellationToken ct)
    {
        var payload = Pattern(5000, 7);
        var stream = await server.OpenUnidirectionalStreamAsync(ct);
        Assert.Null(stream.Input);
        Assert.True(QuicStreamId.IsServerInitiated(stream.StreamId));
        await stream.Output!.WriteAsync(payload, ct);
        await stream.CompleteWritesAsync();
        var accepted = await client.AcceptStreamAsync(ct);
        Assert.NotNull(accepted);
        Assert.Null(accepted.Output);
        Assert.False(accepted.IsBidirectional);
        Assert.Equal(payload, await ReadToEndAsync(accepted.Input!, ct));
        await accepted.DisposeAsync();
        await stream.DisposeAsync();
    }

    public static async Task ResetCarriesCodeAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, CancellationToken ct)
    {
        var stream = await client.OpenUnidirectionalStreamAsync(ct);
        await stream.Output!.WriteAsync(new byte[] { 1, 2, 3 }, ct);
        var accepted = await server.AcceptStreamAsync(ct);
        Assert.NotNull(accepted);
        stream.Abort(0x2a);
        var error = await Assert.ThrowsAsync<MoqtStreamAbortedException>(() => ReadToEndAsync(accepted.Input!, ct));
        Assert.Equal(0x2a, error.ErrorCode);
        Assert.False(error.IsStopSending);
        await accepted.DisposeAsync();
        await stream.DisposeAsync();
    }

    public static async Task StopSendingCarriesCodeAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, CancellationToken ct)
    {
        var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.Output!.WriteAsync(new byte[] { 9 }, ct);
        var accepted = await server.AcceptStreamAsync(ct);
        Assert.NotNull(accepted);
        accepted.Abort(0x17);
        var error = await Assert.ThrowsAsync<MoqtStreamAbortedException>(async () =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                await stream.Output.WriteAsync(new byte[1000], ct);
                await Task.Yield();
            }
        });
        Assert.Equal(0x17, error.ErrorCode);
        Assert.True(error.IsStopSending);
        await accepted.DisposeAsync();
        await stream.DisposeAsync();
    }

    public static async Task CloseReachesPeerAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, CancellationToken ct)
    {
        var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.Output!.WriteAsync(new byte[] { 1 }, ct);
        var accepted = await server.AcceptStreamAsync(ct);
        Assert.NotNull(accepted);
        var pendingRead = ReadToEndAsync(stream.Input!, ct);
        await server.CloseAsync(0x10, "going away", ct);
        var remote = await client.Closed.WaitAsync(TimeSpan.FromSeconds(5), ct);
        var local = await server.Closed.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(0x10, remote.ErrorCode);
        Assert.Equal("going away", remote.Reason);
        Assert.False(remote.IsLocal);
        Assert.True(local.IsLocal);
        await Assert.ThrowsAnyAsync<MoqtTransportException>(() => pendingRead);
        Assert.Null(await client.AcceptStreamAsync(ct));
        await Assert.ThrowsAsync<MoqtTransportClosedException>(async () => await client.OpenBidirectionalStreamAsync(ct));
        await stream.DisposeAsync();
        await accepted.DisposeAsync();
    }

    public static async Task ManyConcurrentStreamsBothWaysAsync(IMoqtTransportConnection client, IMoqtTransportConnection server, int count, CancellationToken ct)
    {
        async Task Serve(IMoqtTransportConnection side)
        {
            var echoes = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var s = await side.AcceptStreamAsync(ct);
                Assert.NotNull(s);
                echoes.Add(Task.Run(async () =>
                {
                    var data = await ReadToEndAsync(s.Input!, ct);
                    await s.Output!.WriteAsync(data, ct);
                    await s.CompleteWritesAsync();
                    await s.DisposeAsync();
                }, ct));
            }

            await Task.WhenAll(echoes);
        }

        async Task Drive(IMoqtTransportConnection side, int seedBase)
        {
            var runs = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
            {
                var payload = Pattern(100 + (i * 997 % 20_000), seedBase + i);
                var s = await side.OpenBidirectionalStreamAsync(ct);
                var writer = Task.Run(async () =>
                {
                    await s.Output!.WriteAsync(payload, ct);
                    await s.CompleteWritesAsync();
                }, ct);
                var back = await ReadToEndAsync(s.Input!, ct);
                await writer;
                Assert.Equal(payload, back);
                await s.DisposeAsync();
            }, ct));
            await Task.WhenAll(runs);
        }

        await Task.WhenAll(Serve(server), Serve(client), Drive(client, 1000), Drive(server, 5000));
    }
}
