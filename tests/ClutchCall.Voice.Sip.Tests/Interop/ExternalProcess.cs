using System.Diagnostics;
using System.Text;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>A real peer process (kamailio, baresip) run in the foreground with its output captured, always killed.</summary>
internal sealed class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="path"/>, or skips the test when it is not installed.</summary>
    public static ExternalProcess Start(string path, string arguments, string workingDirectory, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Skip($"SKIPPED: {path} is not installed (apt-get install {package})");
        }

        var psi = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        var p = Process.Start(psi)!;
        var ep = new ExternalProcess(p);
        p.OutputDataReceived += (_, e) => ep.Append(e.Data);
        p.ErrorDataReceived += (_, e) => ep.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return ep;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return false;
            }

            await Task.Delay(50, ct);
        }

        return false;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
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
