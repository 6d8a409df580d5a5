using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>Runs sipp (Debian package sip-tester) as the far end of a test and always kills it.</summary>
internal sealed class SippProcess : IDisposable
{
    private readonly Process _process;

    private SippProcess(Process process, string errorFile)
    {
        _process = process;
        ErrorFile = errorFile;
    }

    public string ErrorFile { get; }

    public string Errors => File.Exists(ErrorFile) ? File.ReadAllText(ErrorFile) : string.Empty;

    public bool HasExited => _process.HasExited;

    public static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>An even free port for RTP (sipp uses the next one for RTCP).</summary>
    public static int FreeMediaPort()
    {
        for (var i = 0; i < 50; i++)
        {
            var p = FreeUdpPort();
            if (p % 2 == 0 && p < 65000)
            {
                return p;
            }
        }

        return FreeUdpPort();
    }

    public static void RequireSipp()
    {
        if (!File.Exists("/usr/bin/sipp"))
        {
            Assert.Skip("SKIPPED: sipp is not installed (apt-get install sip-tester)");
        }
    }

    public static SippProcess Start(string arguments)
    {
        RequireSipp();
        var dir = Directory.CreateTempSubdirectory("sipp-");
        var errorFile = Path.Combine(dir.FullName, "errors.log");
        var psi = new ProcessStartInfo("/usr/bin/sipp", $"{arguments} -nostdin -trace_err -error_file {errorFile}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.FullName,
        };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new SippProcess(p, errorFile);
    }

    /// <summary>Writes a scenario to a fresh temp file and returns its path.</summary>
    public static string WriteScenario(string xml)
    {
        var dir = Directory.CreateTempSubdirectory("sipp-scn-");
        var path = Path.Combine(dir.FullName, "scenario.xml");
        File.WriteAllText(path, xml);
        return path;
    }

    public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
