using ClutchCall.Voice.Media;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Agents;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls.Simulated;
using ClutchCall.Voice.Server.Hosting;
using ClutchCall.Voice.Server.Relay;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// The real server on 127.0.0.1:0 (SQLite, in-process relay, real agent runtime) whose test line speaks a
/// LibriVox sentence (<see cref="LibriVoxCallee"/>), with unknown agent ids refused.
/// </summary>
internal sealed class AgentTestHost : IAsyncDisposable
{
    public const string Sentence = "librivox-0880";

    private readonly WebApplication _app;
    private readonly string _dataDir;

    private AgentTestHost(WebApplication app, string dataDir)
    {
        _app = app;
        _dataDir = dataDir;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public string BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public LibriVoxCallee Callee => (LibriVoxCallee)Services.GetRequiredService<ISimulatedCallee>();

    public PipelineAgentAttacher Attacher => Services.GetRequiredService<PipelineAgentAttacher>();

    public static short[] SentencePcm() => WavFile.Read(TestData.Require($"speech/{Sentence}.wav")).Samples;

    public static string SentenceText() => File.ReadAllText(TestData.Require($"speech/{Sentence}.txt")).Trim();

    public static async Task<AgentTestHost> StartAsync()
    {
        var pcm = SentencePcm();
        var speech = LibriVoxCallee.Encode(pcm);
        var silence = LibriVoxCallee.Encode(new short[320])[0];
        var dataDir = Path.Combine(Path.GetTempPath(), "ccv-agents-" + Guid.NewGuid().ToString("N")[..12]);
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--DataDirectory={dataDir}",
            "--Bootstrap:Enabled=false",
            "--TestLine:DialDelay=00:00:00.050",
            "--TestLine:RingDuration=00:00:00.100",
            "--Relay:DrainTimeout=00:00:00.300",
            "--Agents:RejectUnknown=true",
            "--Agents:EngineTimeout=00:00:30", // a loaded CI machine must not turn a slow recogniser into an apology
        ];
        var app = VoiceServer.Build(args, b =>
        {
            b.Logging.ClearProviders();
            b.Services.AddSingleton<ISimulatedCallee>(sp => new LibriVoxCallee(
                sp.GetRequiredService<RelayTokenIssuer>(),
                sp.GetRequiredService<InProcessRelay>(),
                sp.GetRequiredService<MediaClock>(),
                speech,
                silence));
        });
        await VoiceServer.InitializeAsync(app, bootstrap: false, TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new AgentTestHost(app, dataDir);
    }

    public async Task<(string OrgId, string Key)> CreateOrgAndKeyAsync(params string[] scopes)
    {
        var org = await Services.GetRequiredService<IOrgStore>().CreateOrgAsync("org-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
        var (key, _) = await Services.GetRequiredService<ApiKeys>().CreateAsync(org.Id, scopes.Length == 0 ? [Scopes.All] : scopes, CancellationToken.None);
        return (org.Id, key);
    }

    public Voice Sdk(string key) => new(new VoiceOptions { BaseUrl = BaseUrl + "/", ApiKey = key });

    public HttpClient Raw(string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
