using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>Runs sipp (Debian package sip-tester) in the foreground and always kills it.</summary>
internal sealed class Sipp : IDisposable
{
    private readonly Process _process;

    private Sipp(Process process, string errorFile)
    {
        _process = process;
        ErrorFile = errorFile;
    }

    public string ErrorFile { get; }

    public static string? Path => File.Exists("/usr/bin/sipp") ? "/usr/bin/sipp" : null;

    public static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static Sipp Start(string arguments)
    {
        if (Path is null)
        {
            Assert.Skip("SKIPPED: sipp is not installed (apt-get install sip-tester)");
        }

        var dir = Directory.CreateTempSubdirectory("sipp-");
        var errorFile = System.IO.Path.Combine(dir.FullName, "errors.log");
        var psi = new ProcessStartInfo(Path!, $"{arguments} -nostdin -trace_err -error_file {errorFile}")
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
        return new Sipp(p, errorFile);
    }

    public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public string Errors => File.Exists(ErrorFile) ? File.ReadAllText(ErrorFile) : string.Empty;

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
