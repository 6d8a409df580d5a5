using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Hosting;
using ClutchCall.Voice.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Tests.Infrastructure;

/// <summary>Which database a suite runs against.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>The real server on 127.0.0.1:0 with a fresh database, plus helpers to make orgs and keys.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDir;

    private TestServer(WebApplication app, string dataDir, string baseUrl)
    {
        _app = app;
        _dataDir = dataDir;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public string DataDirectory => _dataDir;

    public static async Task<TestServer> StartAsync(
        Backend backend,
        PostgresServer postgres,
        TimeProvider? time = null,
        IDictionary<string, string>? settings = null,
        string? dataDir = null,
        string? connectionString = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "ccv-srv-" + Guid.NewGuid().ToString("N")[..12]);
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--DataDirectory={dataDir}", "--Bootstrap:Enabled=false" };
        if (backend == Backend.Postgres)
        {
            connectionString ??= await postgres.CreateDatabaseAsync();
            args.Add("--Storage:Provider=postgres");
            args.Add($"--Storage:ConnectionString={connectionString}");
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--{k}={v}");
        }

        var app = VoiceServer.Build([.. args], b =>
        {
            b.Logging.ClearProviders();
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }
        });
        await VoiceServer.InitializeAsync(app, bootstrap: false, TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var server = new TestServer(app, dataDir, app.Urls.First().TrimEnd('/'));
        server.ConnectionString = connectionString;
        return server;
    }

    public string? ConnectionString { get; private set; }

    public async Task<(string OrgId, string Key)> CreateOrgAndKeyAsync(params string[] scopes)
    {
        var orgs = Services.GetRequiredService<IOrgStore>();
        var org = await orgs.CreateOrgAsync("org-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
        var key = await CreateKeyAsync(org.Id, scopes.Length == 0 ? [Scopes.All] : scopes);
        return (org.Id, key);
    }

    public async Task<string> CreateKeyAsync(string orgId, params string[] scopes)
    {
        var (key, _) = await Services.GetRequiredService<ApiKeys>().CreateAsync(orgId, scopes, CancellationToken.None);
        return key;
    }

    public Voice Sdk(string key, string? orgId = null) => new(new VoiceOptions { BaseUrl = BaseUrl + "/", ApiKey = key, OrgId = orgId });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Deletes the data directory (after <see cref="DisposeAsync"/>).</summary>
    public void DeleteData()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
