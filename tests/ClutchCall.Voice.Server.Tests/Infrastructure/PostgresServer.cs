using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(ClutchCall.Voice.Server.Tests.Infrastructure.PostgresServer))]

namespace ClutchCall.Voice.Server.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL 15 server for the test run: initdb + pg_ctl on a temp directory and a free
/// loopback port (as the postgres user when running as root), stopped and deleted at the end.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private string? _dataDir;
    private bool _asPostgresUser;

    public string? UnavailableReason { get; private set; }

    public int Port { get; private set; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDir, "initdb")) || !File.Exists(Path.Combine(BinDir, "pg_ctl")))
        {
            UnavailableReason = $"PostgreSQL binaries not found in {BinDir} (install postgresql-15)";
            return;
        }

        _asPostgresUser = Environment.UserName == "root";
        _dataDir = Path.Combine(Path.GetTempPath(), "ccv-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dataDir);
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", _dataDir], asPostgres: false);
        }

        Port = FreePort();
        await RunAsync(Path.Combine(BinDir, "initdb"), ["-D", Path.Combine(_dataDir, "db"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], _asPostgresUser);
        await RunAsync(Path.Combine(BinDir, "pg_ctl"),
        [
            "-D", Path.Combine(_dataDir, "db"), "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start",
        ], _asPostgresUser);
    }

    /// <summary>A fresh, empty database; returns its connection string. Skips the test when PostgreSQL is unavailable.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (UnavailableReason is not null)
        {
            Assert.Skip("SKIPPED: " + UnavailableReason);
        }

        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await cmd.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=20";
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDir is null)
        {
            return;
        }

        try
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", Path.Combine(_dataDir, "db"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {await stderr} {await stdout}");
        }
    }
}
