using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Sip;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServerCallDirection = ClutchCall.Voice.Server.Calls.CallDirection;
using ServerCallStatus = ClutchCall.Voice.Server.Calls.CallStatus;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>The control-plane adapter over the SIP user agent, against a real sipp UAS on loopback.</summary>
public sealed class SipCallDialerTests
{
    private sealed class RecordingEvents : ICallLegEvents
    {
        public TaskCompletionSource Ringing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<(ServerCallStatus Status, string Reason)> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask RingingAsync()
        {
            Ringing.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask AnsweredAsync()
        {
            Answered.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask EndedAsync(ServerCallStatus status, string reason)
        {
            Ended.TrySetResult((status, reason));
            return ValueTask.CompletedTask;
        }
    }

    private const string BusyScenario = """
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>
""";

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static Process StartSipp(string arguments)
    {
        if (!File.Exists("/usr/bin/sipp"))
        {
            Assert.Skip("SKIPPED: sipp is not installed (apt-get install sip-tester)");
        }

        var dir = Directory.CreateTempSubdirectory("sipp-").FullName;
        var p = Process.Start(new ProcessStartInfo("/usr/bin/sipp", arguments + " -nostdin") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir })!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void Kill(Process p)
    {
        if (!p.HasExited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }

        p.Dispose();
    }

    private static async Task<SipUserAgentHost> StartHostAsync(int sippPort, CancellationToken ct)
    {
        var rtp = 30000 + (Random.Shared.Next(0, 100) * 100);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sip:BindAddress"] = "127.0.0.1",
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sip:RtpPortMax"] = (rtp + 99).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sip:Trunks:lab:Host"] = "127.0.0.1",
            ["Sip:Trunks:lab:KeepAliveSeconds"] = "0",
            ["Sip:Trunks:lab:Port"] = sippPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sip:Trunks:lab:Codecs"] = "PCMU",
            ["Sip:Trunks:lab:MaxConcurrentCalls"] = "4",
        }).Build();
        var options = config.GetSection("Sip").Get<SipServerOptions>()!;
        var host = new SipUserAgentHost(options, TimeProvider.System, NullLogger<SipUserAgentHost>.Instance);
        await host.StartAsync(ct);
        return host;
    }

    private static CallRecord Call(string to) => new()
    {
        Sid = "CA" + Guid.NewGuid().ToString("N"),
        OrgId = "org",
        Direction = ServerCallDirection.Outbound,
        To = to,
        From = "+14155550100",
        Status = ServerCallStatus.Dialing,
        RingTimeoutSeconds = 30,
        StartedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task Dial_SippAnswers_RingingAnsweredThenHangupWithoutEndedEvent()
    {
        var ct = TestContext.Current.CancellationToken;
        var sippPort = FreeUdpPort();
        var sipp = StartSipp($"-sn uas -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {FreeUdpPort()} -rtp_echo -m 1");
        try
        {
            await using var host = await StartHostAsync(sippPort, ct);
            await Task.Delay(300, ct);
            var dialer = new SipCallDialer(host);
            var call = Call("+14155550123");
            Assert.True(dialer.CanDial(call));
            Assert.False(dialer.CanDial(Call("sim:echo")));

            var events = new RecordingEvents();
            var leg = (SipCallLeg)await dialer.DialAsync(call, events, ct);
            await events.Ringing.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            await events.Answered.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.NotNull(leg.Media);
            Assert.Equal(global::ClutchCall.Voice.Media.AudioCodec.G711Ulaw, leg.Media!.Codec);

            await leg.HangupAsync(ct);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(10));
            await sipp.WaitForExitAsync(cts.Token);
            Assert.Equal(0, sipp.ExitCode);
            Assert.False(events.Ended.Task.IsCompleted, "a hangup we asked for must not be reported back as ended");
        }
        finally
        {
            Kill(sipp);
        }
    }

    [Fact]
    public async Task Dial_SippBusy_EndedFailedWithSipReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var sippPort = FreeUdpPort();
        var scenario = Path.Combine(Directory.CreateTempSubdirectory("scn-").FullName, "busy.xml");
        await File.WriteAllTextAsync(scenario, BusyScenario, ct);
        var sipp = StartSipp($"-sf {scenario} -i 127.0.0.1 -p {sippPort} -m 1");
        try
        {
            await using var host = await StartHostAsync(sippPort, ct);
            await Task.Delay(300, ct);
            var events = new RecordingEvents();

            await new SipCallDialer(host).DialAsync(Call("+14155550123"), events, ct);
            var (status, reason) = await events.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

            Assert.Equal(ServerCallStatus.Failed, status);
            Assert.Equal("sip_486: 486 Busy Here", reason);
        }
        finally
        {
            Kill(sipp);
        }
    }

    [Fact]
    public void AddSipTrunks_NoTrunksConfigured_RegistersNothing()
    {
        var services = new ServiceCollection();
        services.AddSipTrunks(new ConfigurationBuilder().Build());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ICallDialer));
    }

    [Fact]
    public void AddSipTrunks_TrunkConfigured_RegistersDialerAndHost()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sip:Trunks:carrier:Host"] = "sip.example.net",
            ["Sip:Trunks:carrier:KeepAliveSeconds"] = "0",
            ["Sip:Trunks:carrier:Username"] = "u",
            ["Sip:Trunks:carrier:Password"] = "p",
        }).Build();
        var services = new ServiceCollection();
        services.AddSipTrunks(config);
        Assert.Contains(services, d => d.ServiceType == typeof(ICallDialer) && d.ImplementationFactory is not null);
        Assert.Contains(services, d => d.ServiceType == typeof(SipBridgeServices));
        Assert.Contains(services, d => d.ServiceType == typeof(SipUserAgentHost));
    }

    [Fact]
    public void AddSipTrunks_UnknownCodec_FailsNamingTheTrunk()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sip:Trunks:carrier:Host"] = "sip.example.net",
            ["Sip:Trunks:carrier:KeepAliveSeconds"] = "0",
            ["Sip:Trunks:carrier:Codecs"] = "PCMU,G729",
        }).Build();
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSipTrunks(config));
        Assert.Contains("carrier", e.Message, StringComparison.Ordinal);
        Assert.Contains("G729", e.Message, StringComparison.Ordinal);
    }
}
