using System.Net;
using System.Net.Sockets;
using System.Text;
using ClutchCall.Voice.Sip.Parsing;
using ClutchCall.Voice.Sip.Tests.Parsing;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Tests.Transport;

/// <summary>RFC 4475 messages sent over real UDP and TCP sockets to the transport + transaction layer.</summary>
public sealed class TortureOverSocketsTests
{
    private static int Expected(string file, bool stream, HashSet<string> seenTransactions)
    {
        var e = Rfc4475TortureTests.Expectations[file];
        // Several files reuse one branch and sent-by: over UDP, RFC 3261 §17.2.3 matches them to the earlier
        // server transaction (still Completed for Timer J), whose response goes to the earlier sender, so this
        // sender hears nothing. Over TCP, Timer J is zero and each file opens a new transaction.
        if (!stream && SipMessageParser.TryParse(TortureMessages.Load(file), out var parsed, out _) && parsed!.IsRequest
            && !seenTransactions.Add(SipTransactionLayer.ServerKeyOf(parsed)))
        {
            return 0;
        }

        if (stream && file is "clerr.dat" or "baddn.dat")
        {
            // On a stream the body (or the header section) is still incomplete: nothing to answer yet (§18.3).
            return 0;
        }

        if (e.Response != 0)
        {
            return e.Response;
        }

        // Valid requests reach the application, which here answers 200; responses are never answered.
        var ok = SipMessageParser.TryParse(TortureMessages.Load(file), out var m, out _);
        return ok && m!.IsRequest && m.Method != "ACK" ? 200 : 0;
    }

    private static SipTransactionLayer Serve(SipTransport transport)
    {
        var layer = new SipTransactionLayer(transport, TimeProvider.System);
        layer.RequestReceived = tx => tx.Respond(tx.CreateResponse(200, "OK"));
        transport.Start();
        return layer;
    }

    [Fact]
    public async Task Udp_EveryTortureMessage_GetsTheRightAnswer_ListenerStaysUp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0), new SipParserOptions { MaxMessageSize = 16_384 });
        Serve(transport);
        var failures = new List<string>();
        var seen = new HashSet<string>();
        foreach (var file in Rfc4475TortureTests.Expectations.Keys.Order(StringComparer.Ordinal))
        {
            // A socket per message: retransmitted responses to earlier messages cannot be mistaken for this one's.
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var expected = Expected(file, false, seen);
            await client.SendAsync(TortureMessages.Load(file), transport.LocalEndPoint, ct);
            var status = await ReadFinalAsync(async t => (await client.ReceiveAsync(t)).Buffer, expected == 0 ? 150 : 2000, ct);
            if (status != expected)
            {
                failures.Add($"{file}: expected {expected}, got {status}");
            }
        }

        // Oversized datagram: dropped and counted, and the listener still answers afterwards.
        using var last = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await last.SendAsync(new byte[20_000], transport.LocalEndPoint, ct);
        await last.SendAsync(FreshOptions(), transport.LocalEndPoint, ct);
        Assert.Equal(200, await ReadFinalAsync(async t => (await last.ReceiveAsync(t)).Buffer, 2000, ct));
        Assert.Equal(1, transport.Counters.Oversized);
        Assert.Empty(failures);
        Assert.True(transport.Counters.Malformed + transport.Counters.Oversized >= 20);
    }

    [Fact]
    public async Task Tcp_EveryTortureMessage_GetsTheRightAnswer_ListenerStaysUp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var transport = new SipTcpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        Serve(transport);
        var failures = new List<string>();
        var seen = new HashSet<string>();
        foreach (var file in Rfc4475TortureTests.Expectations.Keys.Order(StringComparer.Ordinal))
        {
            using var client = new TcpClient();
            await client.ConnectAsync(transport.LocalEndPoint, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(TortureMessages.Load(file), ct);
            var buffer = new byte[65536];
            var expected = Expected(file, true, seen);
            var status = await ReadFinalAsync(async t => buffer[..await stream.ReadAsync(buffer, t)], expected == 0 ? 150 : 2000, ct);
            if (status != expected)
            {
                failures.Add($"{file}: expected {expected}, got {status}");
            }
        }

        Assert.Empty(failures);
        using var last = new TcpClient();
        await last.ConnectAsync(transport.LocalEndPoint, ct);
        await last.GetStream().WriteAsync(FreshOptions(), ct);
        var b = new byte[4096];
        Assert.Equal(200, await ReadFinalAsync(async t => b[..await last.GetStream().ReadAsync(b, t)], 2000, ct));
    }

    private static byte[] FreshOptions() => Encoding.UTF8.GetBytes(
        "OPTIONS sip:bridge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK" + Guid.NewGuid().ToString("N") +
        "\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bridge@127.0.0.1>\r\nCall-ID: " + Guid.NewGuid().ToString("N") +
        "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");

    /// <summary>Reads responses until a final one (skipping 100 Trying); 0 when none arrives in time.</summary>
    private static async Task<int> ReadFinalAsync(Func<CancellationToken, Task<byte[]>> receive, int timeoutMs, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeoutMs);
        var pending = string.Empty;
        try
        {
            while (true)
            {
                var bytes = await receive(cts.Token);
                if (bytes.Length == 0)
                {
                    return 0;
                }

                pending += Encoding.UTF8.GetString(bytes);
                foreach (var line in pending.Split("\r\n"))
                {
                    if (line.StartsWith("SIP/2.0 ", StringComparison.Ordinal) && !line.StartsWith("SIP/2.0 100 ", StringComparison.Ordinal))
                    {
                        return int.Parse(line.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return 0;
        }
    }
}
