using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Stt;
using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>The Deepgram live-streaming client against <see cref="FakeDeepgramServer"/>.</summary>
public sealed class DeepgramSpeechToTextTests : IClassFixture<PocketSphinxFixture>
{
    private const string Key = "dg-test";
    private readonly PocketSphinxFixture _sphinx;

    public DeepgramSpeechToTextTests(PocketSphinxFixture sphinx)
    {
        _sphinx = sphinx;
    }

    private static HttpEngineOptions Options(Uri url, string key = Key, int timeoutMs = 5000) =>
        new() { BaseUrl = url, ApiKey = key, Timeout = TimeSpan.FromMilliseconds(timeoutMs) };

    [Fact]
    public async Task Stream_RealSpeechThroughPocketSphinxServer_PartialsFinalWordsAndRequestShape()
    {
        var ct = TestContext.Current.CancellationToken;
        var audio = SpeechSamples.Load("librivox-0890");
        var engine = _sphinx.Engine;
        await using var server = new FakeDeepgramServer(Key, (s, token) => FakeDeepgramServer.RecogniseWithAsync(s, engine, token));
        // The server decodes the whole backlog after CloseStream: allow for a loaded machine.
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl, timeoutMs: 60_000), new DeepgramOptions { Model = "nova-3", EndpointingMs = 300 });

        var (final, partials) = await Recogniser.RecogniseAsync(stt, audio, ct);

        var uri = Assert.Single(server.Requests);
        Assert.Equal("/v1/listen", uri.AbsolutePath);
        var query = uri.Query;
        foreach (var p in new[] { "encoding=linear16", "sample_rate=16000", "channels=1", "interim_results=true", "endpointing=300", "model=nova-3", "language=en-US" })
        {
            Assert.Contains(p, query);
        }

        Assert.Equal($"Token {Key}", Assert.Single(server.Authorizations));
        var session = Assert.Single(server.Sessions);
        Assert.Equal(audio.Length * 2, session.AudioBytes);
        Assert.Contains(session.TextMessages, m => m == """{"type":"CloseStream"}""");

        var words = WordErrorRate.Normalise(final.Text);
        Assert.Contains("selfish", words);
        Assert.Contains("rather", words);
        var wer = WordErrorRate.Compute(SpeechSamples.Transcript("librivox-0890"), final.Text);
        Assert.True(wer <= 0.47, $"WER {wer:P1}: {final.Text}");
        Assert.True(final.IsFinal);
        Assert.InRange(final.Confidence, 0.89f, 0.91f);
        Assert.NotEmpty(final.Words);
        Assert.All(final.Words, w => Assert.True(w.End >= w.Start && w.End <= TimeSpan.FromSeconds((audio.Length / 16000.0) + 0.05)));
        Assert.NotEmpty(partials);
        Assert.All(partials, p => Assert.False(p.IsFinal));
    }

    [Fact]
    public async Task Stream_ScriptedResults_JoinsFinalSegmentsWithWordsAndConfidence()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new FakeDeepgramServer(Key, async (s, token) =>
        {
            await foreach (var m in s.ReadAsync(token))
            {
                if (m.Text?.Contains("CloseStream", StringComparison.Ordinal) == true)
                {
                    await s.SendTextAsync("""{"type":"Results","is_final":false,"channel":{"alternatives":[{"transcript":"hello","confidence":0.5,"words":[]}]}}""", token);
                    await s.SendTextAsync("""{"type":"Results","is_final":true,"speech_final":false,"channel":{"alternatives":[{"transcript":"hello world","confidence":0.8,"words":[{"word":"hello","start":0.1,"end":0.4,"confidence":0.9},{"word":"world","start":0.5,"end":0.9,"confidence":0.7,"punctuated_word":"world."}]}]}}""", token);
                    await s.SendTextAsync("""{"type":"SpeechStarted","channel":[0],"timestamp":1.0}""", token);
                    await s.SendTextAsync("""{"type":"Results","is_final":true,"speech_final":true,"channel":{"alternatives":[{"transcript":"","confidence":0,"words":[]}]}}""", token);
                    await s.SendTextAsync("""{"type":"Results","is_final":true,"speech_final":true,"channel":{"alternatives":[{"transcript":"how are you","confidence":0.6,"words":[{"word":"how","start":1.0,"end":1.2},{"word":"are","start":1.2,"end":1.3},{"word":"you","start":1.3,"end":1.6}]}]}}""", token);
                    await s.SendTextAsync("""{"type":"UtteranceEnd","channel":[0,1],"last_word_end":1.6}""", token);
                    await s.SendTextAsync("""{"type":"Metadata","request_id":"x"}""", token);
                    await s.CloseAsync(WebSocketCloseStatus.NormalClosure, token);
                    return;
                }
            }
        });
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl));
        var (final, partials) = await Recogniser.RecogniseAsync(stt, new short[3200], ct);
        Assert.Equal("hello world how are you", final.Text);
        Assert.Equal(0.7f, final.Confidence, 3);
        Assert.Equal(["hello", "world.", "how", "are", "you"], final.Words.Select(w => w.Word));
        Assert.Equal(TimeSpan.FromSeconds(0.5), final.Words[1].Start);
        Assert.Equal(0.7f, final.Words[1].Confidence, 3);
        Assert.True(float.IsNaN(final.Words[2].Confidence));
        Assert.Contains(partials, p => p.Text == "hello");
        Assert.Contains(partials, p => p.Text == "hello world");
    }

    [Fact]
    public async Task Connect_WrongKey_AuthFailure401()
    {
        await using var server = new FakeDeepgramServer(Key, (_, _) => Task.CompletedTask);
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl, key: "wrong"));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ServerError, ex.Kind);
        Assert.Equal(401, ex.StatusCode);
        Assert.True(ex.IsAuthFailure());
    }

    [Fact]
    public async Task Connect_Http500_ServerError()
    {
        await using var server = new LocalHttpServer((ctx, _) =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ServerError, ex.Kind);
        Assert.Equal(500, ex.StatusCode);
        Assert.False(ex.IsAuthFailure());
    }

    [Fact]
    public async Task Receive_GarbageMessage_ProtocolError()
    {
        await using var server = new FakeDeepgramServer(Key, async (s, token) =>
        {
            await s.SendTextAsync("{\"type\":\"Results\",\"channel\":{\"alternatives\":[{\"transcript\":42}]}}", token);
            await foreach (var _ in s.ReadAsync(token))
            {
            }
        });
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[16000], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Protocol, ex.Kind);
    }

    [Fact]
    public async Task Receive_ServerErrorClose1011_ServerErrorWithCloseCode()
    {
        await using var server = new FakeDeepgramServer(Key, (s, token) => s.CloseAsync(WebSocketCloseStatus.InternalServerError, token, "NET-0000"));
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[16000], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ServerError, ex.Kind);
        Assert.Equal(1011, ex.StatusCode);
    }

    [Fact]
    public async Task Complete_ServerNeverClosesAfterCloseStream_Timeout()
    {
        await using var server = new FakeDeepgramServer(Key, async (s, token) =>
        {
            await foreach (var _ in s.ReadAsync(token))
            {
            }
        });
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl, timeoutMs: 400));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public async Task Connect_HandshakeNeverAnswered_Timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        var accept = Task.Run(async () => held.Add(await listener.AcceptSocketAsync(TestContext.Current.CancellationToken)));
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stt = new DeepgramSpeechToText(Options(new Uri($"http://127.0.0.1:{port}/"), timeoutMs: 400));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);
        await accept;
        held.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Stream_SocketDroppedMidStream_ConnectionLostThenFallbackRecognises()
    {
        var ct = TestContext.Current.CancellationToken;
        var audio = SpeechSamples.Load("librivox-0890");
        await using var server = new FakeDeepgramServer(Key, async (s, token) =>
        {
            var frames = 0;
            await foreach (var m in s.ReadAsync(token))
            {
                if (m.Audio is not null && ++frames == 25)
                {
                    s.Socket.Abort(); // TCP drop, no close frame
                    return;
                }
            }
        });
        var primary = new DeepgramSpeechToText(Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(primary, audio, ct));
        Assert.Equal(SpeechEngineErrorKind.ConnectionLost, ex.Kind);

        var stt = new FallbackSpeechToText(primary, _sphinx.Engine);
        var (final, _) = await Recogniser.RecogniseAsync(stt, audio, ct);
        Assert.Equal(1, stt.FallbackCount);
        Assert.Equal(SpeechEngineErrorKind.ConnectionLost, stt.LastPrimaryError?.Kind);
        Assert.Contains("selfish", WordErrorRate.Normalise(final.Text));
    }

    [Fact]
    public async Task Stream_NoAudioForKeepAliveInterval_SendsKeepAliveTextFrame()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var connected = new TaskCompletionSource<FakeDeepgramServer.Session>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeDeepgramServer(Key, async (s, token) =>
        {
            connected.TrySetResult(s);
            await foreach (var m in s.ReadAsync(token))
            {
                if (m.Text?.Contains("CloseStream", StringComparison.Ordinal) == true)
                {
                    await s.CloseAsync(WebSocketCloseStatus.NormalClosure, token);
                    return;
                }
            }
        });
        var stt = new DeepgramSpeechToText(Options(server.BaseUrl), new DeepgramOptions { KeepAliveInterval = TimeSpan.FromSeconds(4) }, time);
        await using var stream = await stt.StartAsync(ct);
        var session = await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        for (var i = 0; i < 200 && !session.TextMessages.Contains("""{"type":"KeepAlive"}"""); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, ct);
        }

        Assert.Contains("""{"type":"KeepAlive"}""", session.TextMessages);
        var final = await stream.CompleteAsync(ct);
        Assert.Equal(string.Empty, final.Text);
    }
}
