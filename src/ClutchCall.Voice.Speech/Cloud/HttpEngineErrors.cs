using System.Net;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>Maps transport failures of HTTP engines to <see cref="SpeechEngineException"/>.</summary>
internal static class HttpEngineErrors
{
    /// <summary>Runs <paramref name="action"/> with a timeout from <paramref name="time"/>; maps every failure to a typed error.</summary>
    public static async Task<T> GuardAsync<T>(string engine, TimeSpan timeout, TimeProvider time, Func<CancellationTokenSource, Task<T>> action, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            return await action(timeoutCts).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.Timeout, $"no answer within {timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException ex)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, (int?)ex.StatusCode, ex);
        }
        catch (IOException ex)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, inner: ex);
        }
    }

    /// <summary>Throws a ServerError carrying the status code for a non-success response.</summary>
    public static async Task EnsureSuccessAsync(string engine, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > 200)
        {
            body = body[..200];
        }

        var status = (int)response.StatusCode;
        var what = CloudErrors.IsAuthStatus(status) ? "authentication failed: " : string.Empty;
        throw new SpeechEngineException(engine, SpeechEngineErrorKind.ServerError, $"{what}HTTP {status} {response.ReasonPhrase}: {body}", status);
    }

    public static bool IsSuccess(HttpStatusCode code) => (int)code is >= 200 and < 300;
}
