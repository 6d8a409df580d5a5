using System.Net;
using System.Text;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Tests.Transactions;

/// <summary>An in-memory transport: records what is sent (with the fake clock's time) and injects what arrives.</summary>
internal sealed class RecordingTransport(TimeProvider time, bool reliable = false) : SipTransport(null)
{
    public static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5070);

    public List<(TimeSpan At, SipMessage Message)> Sent { get; } = [];

    private readonly DateTimeOffset _start = time.GetUtcNow();

    public override string Protocol => reliable ? "TCP" : "UDP";

    public override bool IsReliable => reliable;

    public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5060);

    public override void Start()
    {
    }

    public override void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        Assert.True(SipMessageParser.TryParse(data.Span, out var m, out var e), e.ToString());
        Sent.Add((time.GetUtcNow() - _start, m!));
    }

    public void Inject(string text) => Inject(Encoding.UTF8.GetBytes(text));

    public void Inject(byte[] bytes)
    {
        var ok = SipMessageParser.TryParse(bytes, out var m, out var e);
        Deliver(ok, m, e, Peer);
    }

    public List<double> SentSeconds(string startLinePrefix) =>
        Sent.Where(s => (s.Message.IsRequest ? s.Message.Method : "SIP/2.0 " + s.Message.StatusCode).StartsWith(startLinePrefix, StringComparison.Ordinal)).Select(s => s.At.TotalSeconds).ToList();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
