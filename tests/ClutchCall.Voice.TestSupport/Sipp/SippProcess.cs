using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace ClutchCall.Voice.TestSupport.Sipp;

/// <summary>Runs sipp (Debian package sip-tester) as the far end of a test and always kills it.</summary>
public sealed class SippProcess : IDisposable
{
    private readonly Process _process;

    private SippProcess(Process process, string errorFile)
    {
        _process = process;
        ErrorFile = errorFile;
    }

    /// <summary>sipp's error file (<c>-trace_err</c>), next to its other traces.</summary>
    public string ErrorFile { get; }

    /// <summary>What sipp reported as errors so far.</summary>
    public string Errors => File.Exists(ErrorFile) ? File.ReadAllText(ErrorFile) : string.Empty;

    /// <summary>Whether sipp has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>A UDP port on loopback that was free a moment ago.</summary>
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

    /// <summary>Skips the test when sipp is not installed.</summary>
    public static void RequireSipp()
    {
        if (!File.Exists("/usr/bin/sipp"))
        {
            Assert.Skip("SKIPPED: sipp is not installed (apt-get install sip-tester)");
        }
    }

    /// <summary>Starts sipp with <paramref name="arguments"/> (no keyboard, errors traced to <see cref="ErrorFile"/>); skips the test without sipp.</summary>
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

    /// <summary>Waits for sipp to end and returns its exit code (0: every call passed its scenario).</summary>
    public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills sipp if it is still running.</summary>
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
