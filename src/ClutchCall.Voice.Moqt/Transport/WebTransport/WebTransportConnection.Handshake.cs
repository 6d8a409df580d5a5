using System.Buffers;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>The extended CONNECT exchange that opens the session (RFC 9220 §3, draft-ietf-webtrans-http3-02 §3).</summary>
internal sealed partial class WebTransportConnection
{
    /// <summary>Requests refused on one connection before the server gives up on it.</summary>
    private const int MaxRefusedRequests = 3;

    /// <summary>
    /// Server side: sends SETTINGS, waits for the client's SETTINGS and an extended CONNECT to
    /// <see cref="WebTransportServerOptions.Path"/>, answers 200 (with <c>wt-protocol</c> when one matches) and
    /// returns the session. Bad requests get 400/404 and the client may try again until the handshake timeout.
    /// On failure the QUIC connection is closed and <see cref="MoqtTransportException"/> thrown.
    /// </summary>
    public static async ValueTask<WebTransportConnection> AcceptAsync(IMoqtTransportConnection quic, WebTransportServerOptions options, CancellationToken cancellationToken)
    {
        var connection = new WebTransportConnection(quic, isServer: true, options.Limits, options.HandshakeTimeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            connection.Start();
            await connection.SendSettingsAsync(timeout.Token).ConfigureAwait(false);
            var refused = 0;
            while (true)
            {
                var (stream, request) = await connection._requests.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);

                // draft-ietf-webtrans-http3-02 §3.1: no WebTransport request is processed before the client's SETTINGS.
                var settings = await connection._peerSettings.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                var (status, selected) = Evaluate(request, settings, options);
                await RespondAsync(stream, status, selected, timeout.Token).ConfigureAwait(false);
                if (status == 200)
                {
                    var query = request.Path!.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? request.Path[q..] : string.Empty;
                    connection.Establish(stream, new MoqtConnectionInfo(
                        selected,
                        Alpn,
                        PathOf(request.Path),
                        request.Authority,
                        MoqtConnectionInfo.TokenFromQuery(query),
                        request.Origin));
                    while (connection._requests.Reader.TryRead(out var extra))
                    {
                        extra.Stream.Abort(Http3ErrorCode.RequestRejected);
                        await DisposeQuietlyAsync(extra.Stream).ConfigureAwait(false);
                    }

                    return connection;
                }

                connection._refusalSent = true;
                await stream.CompleteWritesAsync().ConfigureAwait(false);
                await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                if (++refused >= MaxRefusedRequests)
                {
                    throw new MoqtTransportException($"{refused} requests refused (last: {status} for {request.Method} {request.Path})", Http3ErrorCode.RequestRejected);
                }
            }
        }
        catch (Exception ex)
        {
            await connection.FailHandshakeAsync().ConfigureAwait(false);
            if (ex is MoqtTransportException transport)
            {
                throw transport;
            }

            throw new MoqtTransportException($"WebTransport handshake failed: {ex.Message}", Http3ErrorCode.RequestRejected, ex);
        }
    }

    /// <summary>
    /// Client side: sends SETTINGS, waits for the server's (it must enable extended CONNECT and WebTransport),
    /// sends the extended CONNECT for <paramref name="uri"/> offering <see cref="MoqtTransportConnectOptions.ApplicationProtocols"/>
    /// in <c>wt-available-protocols</c>, and returns the session once the server answers 2xx.
    /// </summary>
    public static async ValueTask<WebTransportConnection> ConnectAsync(IMoqtTransportConnection quic, Uri uri, MoqtTransportConnectOptions options, string? origin, CancellationToken cancellationToken)
    {
        var connection = new WebTransportConnection(quic, isServer: false, options.Limits, options.ConnectTimeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            connection.Start();
            await connection.SendSettingsAsync(timeout.Token).ConfigureAwait(false);

            // RFC 9220 §3: extended CONNECT only after the server's SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.
            var settings = await connection._peerSettings.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            if (!settings.TryGetValue(Http3Settings.EnableConnectProtocol, out var connect) || connect != 1
                || !(settings.ContainsKey(Http3Settings.EnableWebTransportDraft02) || settings.ContainsKey(Http3Settings.WebTransportMaxSessions)))
            {
                throw new MoqtTransportException("The server's SETTINGS do not enable extended CONNECT and WebTransport.", Http3ErrorCode.SettingsError);
            }

            var stream = await quic.OpenBidirectionalStreamAsync(timeout.Token).ConfigureAwait(false);
            var pathAndQuery = uri.PathAndQuery;
            if (options.AuthorizationToken is { } token)
            {
                pathAndQuery += (uri.Query.Length > 0 ? "&" : "?") + "jwt=" + Uri.EscapeDataString(token);
            }

            var block = new ArrayBufferWriter<byte>();
            WebTransportHeaders.WriteRequest(block, uri.Authority, pathAndQuery, origin, options.ApplicationProtocols);
            Http3FrameCodec.WriteHeader(stream.Output!, Http3FrameType.Headers, block.WrittenCount);
            stream.Output!.Write(block.WrittenSpan);
            await stream.Output!.FlushAsync(timeout.Token).ConfigureAwait(false);

            var frame = await Http3StreamReader.ReadFrameAsync(stream.Input!, IsRequestFrame, MaxHeaderFrame, timeout.Token).ConfigureAwait(false);
            if (frame is not { Type: (ulong)Http3FrameType.Headers } headers)
            {
                throw new MoqtTransportException("The server answered CONNECT without a HEADERS frame.", Http3ErrorCode.FrameUnexpected);
            }

            var fields = new List<QpackField>();
            if (QpackHeaderCodec.TryDecode(headers.Payload, fields) != QpackStatus.Success)
            {
                throw new MoqtTransportException("The server's response headers could not be decoded.", QpackDecompressionFailed);
            }

            var (status, selected) = WebTransportHeaders.ReadResponse(fields);
            if (status is < 200 or >= 300)
            {
                throw new MoqtTransportException($"WebTransport CONNECT to {uri} refused with HTTP status {status}.", status);
            }

            connection.Establish(stream, new MoqtConnectionInfo(selected, Alpn, uri.AbsolutePath, uri.Authority, options.AuthorizationToken, origin));
            return connection;
        }
        catch (Exception ex)
        {
            await connection.FailHandshakeAsync().ConfigureAwait(false);
            if (ex is MoqtTransportException transport)
            {
                throw transport;
            }

            throw new MoqtTransportException($"WebTransport handshake with {uri} failed: {ex.Message}", Http3ErrorCode.RequestRejected, ex);
        }
    }

    /// <summary>What the server answers to one request, and the protocol it selects.</summary>
    internal static (int Status, string? Selected) Evaluate(WebTransportRequest request, Dictionary<ulong, ulong> clientSettings, WebTransportServerOptions options)
    {
        // RFC 9220 §3 / RFC 9114 §4.3.1: extended CONNECT carries :protocol, :scheme, :authority and :path.
        if (request.Method != "CONNECT" || request.Protocol != WebTransportHeaders.WebTransportProtocol
            || request.Path is not { Length: > 0 } path || string.IsNullOrEmpty(request.Authority) || request.Scheme != "https")
        {
            return (400, null);
        }

        if (!(clientSettings.ContainsKey(Http3Settings.EnableWebTransportDraft02) || clientSettings.ContainsKey(Http3Settings.WebTransportMaxSessions)))
        {
            return (400, null);
        }

        if (!string.Equals(PathOf(path), options.Path, StringComparison.Ordinal))
        {
            return (404, null);
        }

        // draft-ietf-webtrans-http3 §3.3: the server picks one of the offered protocols, by its own preference.
        var selected = options.ApplicationProtocols.FirstOrDefault(p => request.AvailableProtocols.Contains(p, StringComparer.Ordinal));
        return (200, selected);
    }

    private static string PathOf(string path) => path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? path[..q] : path;

    private static async ValueTask RespondAsync(IMoqtStream stream, int status, string? selected, CancellationToken cancellationToken)
    {
        var block = new ArrayBufferWriter<byte>();
        WebTransportHeaders.WriteResponse(block, status, selected);
        Http3FrameCodec.WriteHeader(stream.Output!, Http3FrameType.Headers, block.WrittenCount);
        stream.Output!.Write(block.WrittenSpan);
        await stream.Output!.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask FailHandshakeAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            _closed.TrySetResult(new MoqtTransportCloseInfo(Http3ErrorCode.RequestRejected, "handshake failed", IsLocal: true, IsTransportError: true));
        }

        EndStreams();

        // Give a refused client a moment to read its 4xx and close first, then close QUIC ourselves.
        if (_refusalSent)
        {
            try
            {
                await _quic.Closed.WaitAsync(CloseGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        await CloseQuicAsync(Http3ErrorCode.RequestRejected, "WebTransport handshake failed").ConfigureAwait(false);
        await _cts.CancelAsync().ConfigureAwait(false);
    }
}
