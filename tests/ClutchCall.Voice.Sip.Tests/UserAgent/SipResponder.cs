using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// A minimal SIP server on a loopback UDP port: every request it receives is kept, and <see cref="Answer"/> decides
/// the response (null: stay silent, so the client's Timer F/B runs out). Used as a registrar or keep-alive target.
/// </summary>
internal sealed class SipResponder : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<SipMessage> _requests = [];
    private readonly Task _loop;

    public SipResponder(Func<SipMessage, SipMessageBuilder?>? answer = null)
    {
        Answer = answer;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>The response to a request, or null for none. Swappable while running.</summary>
    public volatile Func<SipMessage, SipMessageBuilder?>? Answer;

    /// <summary>Requests received so far (retransmissions included).</summary>
    public IReadOnlyList<SipMessage> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Distinct transactions (top Via branches) of a method received so far.</summary>
    public int Transactions(string method) => Requests.Where(r => r.Method == method).Select(r => r.TopVia?.Branch).Distinct().Count();

    /// <summary>200 OK with the request's Contact echoed and <paramref name="expires"/> granted (RFC 3261 §10.3).</summary>
    public static SipMessageBuilder RegisterOk(SipMessage request, int expires)
    {
        var ok = SipResponseFactory.Create(request, 200, "OK");
        if (request.GetHeader(SipHeaderNames.Contact) is { } contact)
        {
            ok.Add(SipHeaderNames.Contact, contact + ";expires=" + expires);
        }

        return ok;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
        }
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[65_536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (!SipMessageParser.TryParse(buffer.AsSpan(0, r.ReceivedBytes).ToArray(), out var request, out _) || !request!.IsRequest)
            {
                continue;
            }

            lock (_requests)
            {
                _requests.Add(request);
            }

            if (request.Method != "ACK" && Answer?.Invoke(request) is { } response)
            {
                try
                {
                    await _socket.SendToAsync(response.ToArray(), SocketFlags.None, r.RemoteEndPoint);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
