using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Support;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>
/// A local server speaking Deepgram's live-streaming protocol
/// (https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming): it checks the
/// <c>Authorization: Token</c> header, accepts the WebSocket upgrade, takes binary linear16 frames and
/// text control messages (KeepAlive, CloseStream), and answers with Results messages. With a
/// recogniser it runs that engine (our pocketsphinx) on the streamed audio, so transcripts are real.
/// </summary>
internal sealed class FakeDeepgramServer : IAsyncDisposable
{
    private readonly LocalHttpServer _http;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public FakeDeepgramServer(string key, Func<Session, CancellationToken, Task> script)
    {
        _http = new LocalHttpServer(async (ctx, ct) =>
        {
            Requests.Add(ctx.Request.Url!);
            Authorizations.Add(ctx.Request.Headers["Authorization"]);
            if (ctx.Request.Headers["Authorization"] != $"Token {key}")
            {
                ctx.Response.StatusCode = 401;
                await ctx.Response.OutputStream.WriteAsync("""{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."}"""u8.ToArray(), ct);
                return;
            }

            if (!ctx.Request.IsWebSocketRequest)
            {
                ctx.Response.StatusCode = 400;
                return;
            }

            var wsCtx = await ctx.AcceptWebSocketAsync(null);
            var session = new Session(this, wsCtx.WebSocket);
            Sessions.Add(session);
            await script(session, ct);
        });
    }

    public Uri BaseUrl => _http.BaseUrl;

    public ConcurrentBag<Uri> Requests { get; } = [];

    public ConcurrentBag<string?> Authorizations { get; } = [];

    public ConcurrentBag<Session> Sessions { get; } = [];

    public ValueTask DisposeAsync() => _http.DisposeAsync();

    /// <summary>Sends Results messages built from a real engine's partial and final results.</summary>
    public static async Task RecogniseWithAsync(Session session, ISpeechToText engine, CancellationToken ct)
    {
        await using var stream = await engine.StartAsync(ct);
        var partials = Task.Run(async () =>
        {
            await foreach (var r in stream.ReadResultsAsync(ct))
            {
                if (!r.IsFinal && r.Text.Length > 0)
                {
                    await session.SendResultsAsync(r.Text, 0.5, false, false, [], ct);
                }
            }
        }, ct);
        await foreach (var message in session.ReadAsync(ct))
        {
            if (message.Audio is { } audio)
            {
                await stream.WriteAsync(audio, ct);
            }
            else if (message.Text!.Contains("CloseStream", StringComparison.Ordinal))
            {
                var final = await stream.CompleteAsync(ct);
                await partials;
                await session.SendResultsAsync(final.Text, 0.9, true, true, final.Words, ct);
                await session.SendTextAsync("""{"type":"Metadata","request_id":"local","duration":1.0,"channels":1}""", ct);
                await session.CloseAsync(WebSocketCloseStatus.NormalClosure, ct);
                return;
            }
        }
    }

    public sealed class Session(FakeDeepgramServer owner, WebSocket socket)
    {
        public WebSocket Socket => socket;

        public long AudioBytes { get; private set; }

        public ConcurrentQueue<string> TextMessages { get; } = [];

        /// <summary>Reads client messages until the client closes: audio as samples, text as strings.</summary>
        public async IAsyncEnumerable<(short[]? Audio, string? Text)> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var count = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
                    count += r.Count;
                }
                while (!r.EndOfMessage);

                if (r.MessageType == WebSocketMessageType.Close)
                {
                    yield break;
                }

                if (r.MessageType == WebSocketMessageType.Binary)
                {
                    AudioBytes += count;
                    var samples = new short[count / 2];
                    Buffer.BlockCopy(buffer, 0, samples, 0, samples.Length * 2);
                    yield return (samples, null);
                }
                else
                {
                    var text = Encoding.UTF8.GetString(buffer, 0, count);
                    TextMessages.Enqueue(text);
                    yield return (null, text);
                }
            }
        }

        public async Task SendTextAsync(string json, CancellationToken ct)
        {
            await owner._sendLock.WaitAsync(ct);
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, ct);
            }
            finally
            {
                owner._sendLock.Release();
            }
        }

        public Task SendResultsAsync(string transcript, double confidence, bool isFinal, bool speechFinal, IReadOnlyList<WordTiming> words, CancellationToken ct)
        {
            var json = JsonSerializer.Serialize(new
            {
                type = "Results",
                channel_index = new[] { 0, 1 },
                duration = 1.0,
                start = 0.0,
                is_final = isFinal,
                speech_final = speechFinal,
                channel = new
                {
                    alternatives = new[]
                    {
                        new
                        {
                            transcript,
                            confidence,
                            words = words.Select(w => new { word = w.Word, start = w.Start.TotalSeconds, end = w.End.TotalSeconds, confidence = 0.8, punctuated_word = w.Word }).ToArray(),
                        },
                    },
                },
            });
            return SendTextAsync(json, ct);
        }

        public async Task CloseAsync(WebSocketCloseStatus status, CancellationToken ct, string? reason = null)
        {
            await owner._sendLock.WaitAsync(ct);
            try
            {
                await socket.CloseAsync(status, reason, ct);
            }
            finally
            {
                owner._sendLock.Release();
            }
        }
    }
}
