using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>
/// Just enough HTTP/1.1 on 127.0.0.1:0 to serve one page to Chromium and take its reports (POST /log, /result).
/// A page from http://127.0.0.1 is a secure context, which WebTransport requires.
/// </summary>
internal sealed class MiniHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string> _page;
    private readonly Task _loop;

    public MiniHttpServer(Func<string> page)
    {
        _page = page;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<string> Logs { get; } = new();

    public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(_stop.Token) ?? string.Empty;
            var length = 0;
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token)))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            var body = new char[length];
            var read = 0;
            while (read < length)
            {
                var n = await reader.ReadAsync(body.AsMemory(read), _stop.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var text = new string(body, 0, read);
            var parts = requestLine.Split(' ');
            var (status, content, type) = (parts.Length > 1 ? parts[0] + " " + parts[1] : string.Empty) switch
            {
                "GET /" => ("200 OK", _page(), "text/html; charset=utf-8"),
                "POST /log" => Record(text),
                "POST /result" => Finish(text),
                _ => ("404 Not Found", "not here", "text/plain"),
            };
            var payload = Encoding.UTF8.GetBytes(content);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {payload.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head, _stop.Token);
            await stream.WriteAsync(payload, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or FormatException)
        {
            // A browser hanging up early is fine.
        }
    }

    private (string, string, string) Record(string text)
    {
        Logs.Enqueue(text);
        return ("200 OK", "ok", "text/plain");
    }

    private (string, string, string) Finish(string text)
    {
        Result.TrySetResult(text);
        return ("200 OK", "ok", "text/plain");
    }
}
