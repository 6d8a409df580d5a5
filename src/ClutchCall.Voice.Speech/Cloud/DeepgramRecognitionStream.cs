using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>One Deepgram live socket: a send loop (audio, KeepAlive, CloseStream) and a receive loop (Results).</summary>
internal sealed class DeepgramRecognitionStream(Uri uri, HttpEngineOptions options, TimeSpan keepAliveInterval, TimeProvider time)
    : SpeechRecognitionStream(DeepgramMessageReader.EngineName)
{
    private const int InitialReceiveBytes = 16 * 1024;

    // https://developers.deepgram.com/docs/close-stream: ask the server to flush and close.
    private static readonly ReadOnlyMemory<byte> CloseStream = """{"type":"CloseStream"}"""u8.ToArray();

    // https://developers.deepgram.com/docs/audio-keep-alive: a text frame, no reply expected.
    private static readonly ReadOnlyMemory<byte> KeepAlive = """{"type":"KeepAlive"}"""u8.ToArray();

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<DeepgramMessage> _finals = [];
    private long _lastSend;
    private volatile bool _closeSent;

    protected override async Task<SpeechRecognitionResult> RunAsync(ChannelReader<PcmChunk> audio, CancellationToken cancellationToken)
    {
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (options.ApiKey is { } key)
        {
            ws.Options.SetRequestHeader("Authorization", $"Token {key}");
        }

        await ConnectAsync(ws, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveLoopAsync(ws, stop.Token);
        var keepAlive = KeepAliveLoopAsync(ws, stop.Token);

        // A receive failure (socket dropped, server error) must end the wait for audio at once, not at the next frame.
        using var audioWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wake = receive.ContinueWith(static (_, state) => CancelQuietly((CancellationTokenSource)state!), audioWait, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            try
            {
                await SendAudioAsync(ws, audio, receive, audioWait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (receive.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                await receive.ConfigureAwait(false);
                throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, "server closed the socket before the end of audio");
            }

            // Set first: the server may answer CloseStream with its close frame before SendAsync returns.
            _closeSent = true;
            await SendTextAsync(ws, CloseStream, cancellationToken).ConfigureAwait(false);
            try
            {
                // The server flushes its last Results and closes; a server that never does is a timeout.
                await receive.WaitAsync(options.Timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new SpeechEngineException(Engine, SpeechEngineErrorKind.Timeout, $"no close within {options.Timeout.TotalMilliseconds:F0} ms of CloseStream");
            }

            return Final();
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (ws.State is not WebSocketState.Closed)
            {
                ws.Abort();
            }

            await Observe(receive).ConfigureAwait(false);
            await Observe(keepAlive).ConfigureAwait(false);
            await wake.ConfigureAwait(false);
        }
    }

    private static void CancelQuietly(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream already finished.
        }
    }

    protected override ValueTask DisposeEngineAsync()
    {
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already surfaced (or superseded) by the send path's outcome.
        }
    }

    private async Task ConnectAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await ws.ConnectAsync(uri, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.Timeout, $"WebSocket handshake not done within {options.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (WebSocketException ex) when (ws.HttpStatusCode is var status && (int)status >= 300)
        {
            // The upgrade was refused with an HTTP status (401 bad key, 400 bad parameters, 5xx).
            var what = CloudErrors.IsAuthStatus((int)status) ? "authentication failed: " : string.Empty;
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ServerError, $"{what}upgrade refused with HTTP {(int)status}", (int)status, ex);
        }
        catch (WebSocketException ex)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, $"WebSocket connect failed: {ex.Message}", inner: ex);
        }
    }

    private async Task SendAudioAsync(ClientWebSocket ws, ChannelReader<PcmChunk> audio, Task receive, CancellationToken cancellationToken)
    {
        byte[]? bytes = null;
        try
        {
            while (await audio.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (audio.TryRead(out var chunk))
                {
                    try
                    {
                        var size = chunk.Length * sizeof(short);
                        if (bytes is null || bytes.Length < size)
                        {
                            if (bytes is not null)
                            {
                                ArrayPool<byte>.Shared.Return(bytes);
                            }

                            bytes = ArrayPool<byte>.Shared.Rent(Math.Max(size, 640));
                        }

                        // encoding=linear16: signed 16-bit little-endian samples.
                        WriteLittleEndian(chunk.Span, bytes);
                        await SendAsync(ws, bytes.AsMemory(0, size), WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        chunk.Return();
                    }
                }

                if (receive.IsCompleted)
                {
                    // The server ended the conversation before the audio did.
                    await receive.ConfigureAwait(false);
                    throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, "server closed the socket before the end of audio");
                }
            }
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    private static void WriteLittleEndian(ReadOnlySpan<short> samples, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(samples).CopyTo(bytes);
            return;
        }

        for (var i = 0; i < samples.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes[(i * 2)..], samples[i]);
        }
    }

    private ValueTask SendTextAsync(ClientWebSocket ws, ReadOnlyMemory<byte> text, CancellationToken cancellationToken) =>
        SendAsync(ws, text, WebSocketMessageType.Text, cancellationToken);

    private async ValueTask SendAsync(ClientWebSocket ws, ReadOnlyMemory<byte> payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var send = ws.SendAsync(payload, type, true, cancellationToken);
            if (!send.IsCompleted)
            {
                // A peer that stops reading fills the socket buffers; do not wait for it forever.
                await send.AsTask().WaitAsync(options.Timeout, time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await send.ConfigureAwait(false);
            }

            Volatile.Write(ref _lastSend, time.GetTimestamp());
        }
        catch (TimeoutException)
        {
            ws.Abort();
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.Timeout, $"send blocked for {options.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (WebSocketException ex)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, inner: ex);
        }
        catch (ObjectDisposedException ex)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, inner: ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task KeepAliveLoopAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        if (keepAliveInterval <= TimeSpan.Zero)
        {
            return;
        }

        Volatile.Write(ref _lastSend, time.GetTimestamp());
        while (!cancellationToken.IsCancellationRequested && !_closeSent)
        {
            await Task.Delay(keepAliveInterval, time, cancellationToken).ConfigureAwait(false);
            if (!_closeSent && time.GetElapsedTime(Volatile.Read(ref _lastSend)) >= keepAliveInterval)
            {
                await SendTextAsync(ws, KeepAlive, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    if (count == buffer.Length)
                    {
                        if (count >= DeepgramMessageReader.MaxMessageBytes)
                        {
                            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.Protocol, $"message longer than {DeepgramMessageReader.MaxMessageBytes} bytes");
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    r = await ws.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                    count += r.Count;
                }
                while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);

                if (r.MessageType == WebSocketMessageType.Close)
                {
                    OnClose(ws);
                    try
                    {
                        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                    }
                    catch (WebSocketException)
                    {
                        // The server may drop TCP right after its close frame.
                    }

                    return;
                }

                if (r.MessageType == WebSocketMessageType.Binary)
                {
                    throw new SpeechEngineException(Engine, SpeechEngineErrorKind.Protocol, "unexpected binary message");
                }

                var message = DeepgramMessageReader.Parse(buffer.AsSpan(0, count));
                switch (message.Type)
                {
                    case DeepgramMessageType.Results:
                        OnResults(message);
                        break;
                    case DeepgramMessageType.Error:
                        throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ServerError, $"server error: {message.Description}");
                }
            }
        }
        catch (WebSocketException ex)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, inner: ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnClose(ClientWebSocket ws)
    {
        var status = ws.CloseStatus ?? WebSocketCloseStatus.Empty;
        if (status is not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.Empty))
        {
            // Deepgram closes with 1008 (bad audio, DATA-0000) or 1011 (NET-0000/NET-0001) and a reason.
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ServerError, $"closed with {(int)status}: {ws.CloseStatusDescription}", (int)status);
        }

        if (!_closeSent)
        {
            throw new SpeechEngineException(Engine, SpeechEngineErrorKind.ConnectionLost, "server closed the socket before the end of audio", (int)status);
        }
    }

    private void OnResults(in DeepgramMessage message)
    {
        if (message.IsFinal)
        {
            if (message.Transcript.Length > 0)
            {
                _finals.Add(message);
            }

            PublishPartial(new SpeechRecognitionResult(JoinFinals(null), false, message.Confidence, message.Words));
        }
        else if (message.Transcript.Length > 0)
        {
            PublishPartial(new SpeechRecognitionResult(JoinFinals(message.Transcript), false, message.Confidence, message.Words));
        }
    }

    private string JoinFinals(string? interim)
    {
        var parts = new List<string>(_finals.Count + 1);
        foreach (var f in _finals)
        {
            parts.Add(f.Transcript);
        }

        if (interim is not null)
        {
            parts.Add(interim);
        }

        return string.Join(' ', parts);
    }

    private SpeechRecognitionResult Final()
    {
        if (_finals.Count == 0)
        {
            return SpeechRecognitionResult.EmptyFinal;
        }

        var words = new List<WordTiming>();
        var confidence = 0.0;
        var rated = 0;
        foreach (var f in _finals)
        {
            words.AddRange(f.Words);
            if (!float.IsNaN(f.Confidence))
            {
                confidence += f.Confidence;
                rated++;
            }
        }

        return new SpeechRecognitionResult(JoinFinals(null), true, rated == 0 ? float.NaN : (float)(confidence / rated), words);
    }
}
