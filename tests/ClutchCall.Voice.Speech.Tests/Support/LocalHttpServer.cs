using System.Net;
using System.Net.Sockets;

namespace ClutchCall.Voice.Speech.Tests.Support;

/// <summary>An HttpListener on 127.0.0.1 and a free port that runs a handler per request.</summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    public LocalHttpServer(Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_cts.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync();
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        await handler(ctx, _cts.Token);

                        // RFC 9112 §9.6: a server that answers before reading the whole request body
                        // must keep reading it before closing; HttpListener closes at once, so the
                        // client's unsent body meets a reset and the response (e.g. a 503) is lost.
                        await ctx.Request.InputStream.CopyToAsync(Stream.Null, _cts.Token);
                        ctx.Response.Close();
                    }
                    catch (Exception)
                    {
                        try
                        {
                            ctx.Response.Abort();
                        }
                        catch (Exception)
                        {
                        }
                    }
                });
            }
        });
    }

    public Uri BaseUrl { get; }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
    }
}
