using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ClutchCall.Voice.Server.Tests.Softphone;

/// <summary>
/// Finds node/npm, installs a folder's locked npm dependencies once (<c>npm ci</c>, unless node_modules is
/// already there, e.g. from scripts/deps.sh) and runs node scripts whose stdout lines are JSON events.
/// </summary>
internal static class NodeTooling
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The repository root (the folder holding ClutchCall.Voice.sln), found from the test binaries upward.</summary>
    public static string RepoRoot => ClutchCall.Voice.TestSupport.TestData.RepoRoot;

    /// <summary>Absolute path of a program on PATH, or null.</summary>
    public static string? Which(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Skips the test (loudly) unless node and npm are installed.</summary>
    public static (string Node, string Npm) RequireNode()
    {
        var node = Which("node");
        var npm = Which("npm");
        if (node is null || npm is null)
        {
            Assert.Skip("SKIPPED: node/npm not installed (Debian: apt-get install nodejs npm); the @moq/net and softphone tests need Node 20+.");
        }

        return (node!, npm!);
    }

    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> when its node_modules is missing; fails with npm's output.</summary>
    public static async Task EnsureInstalledAsync(string folder, string npm, CancellationToken ct)
    {
        await InstallGate.WaitAsync(ct);
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules")))
            {
                return;
            }

            var (code, output) = await RunToEndAsync(npm, ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5), ct);
            if (code != 0)
            {
                Assert.Fail($"npm ci in {folder} failed ({code}); run scripts/deps.sh or npm ci there by hand:\n{output}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs a program to completion, returning its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(string program, string[] args, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Start(program, args, workingDirectory);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    public static Process Start(string program, IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
    }
}

/// <summary>A running node script whose stdout lines starting with '{' are JSON events; other lines are kept as log.</summary>
internal sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly StringBuilder _log = new();

    public NodeScript(string node, string workingDirectory, params string[] args)
    {
        _process = NodeTooling.Start(node, args, workingDirectory);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, stdout: true);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, stdout: false);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public IReadOnlyList<JsonElement> Events(string name)
    {
        lock (_events)
        {
            return _events.Where(e => e.TryGetProperty("event", out var v) && v.GetString() == name).ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000))
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (stdout && line.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                lock (_events)
                {
                    _events.Add(doc.RootElement.Clone());
                }
            }
            catch (JsonException)
            {
                // A log line that happens to start with a brace.
            }
        }
    }
}
