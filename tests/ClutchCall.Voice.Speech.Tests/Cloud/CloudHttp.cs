using System.Net;
using System.Text;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>Small helpers for the local HTTP servers that stand in for cloud engines.</summary>
internal static class CloudHttp
{
    public static readonly HttpClient Client = new();

    public static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        using var ms = new MemoryStream();
        await request.InputStream.CopyToAsync(ms);
        return ms.ToArray();
    }

    public static async Task WriteAsync(HttpListenerContext ctx, int status, string body, string type = "application/json")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        await ctx.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Streams PCM16 LE in chunks of odd sizes (so samples straddle chunk boundaries), flushing each.</summary>
    public static async Task StreamPcmAsync(HttpListenerContext ctx, short[] samples, int chunkBytes, CancellationToken ct)
    {
        ctx.Response.ContentType = "audio/pcm";
        ctx.Response.SendChunked = true;
        var bytes = new byte[samples.Length * 2];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        for (var i = 0; i < bytes.Length; i += chunkBytes)
        {
            await ctx.Response.OutputStream.WriteAsync(bytes.AsMemory(i, Math.Min(chunkBytes, bytes.Length - i)), ct);
            await ctx.Response.OutputStream.FlushAsync(ct);
        }
    }
}
