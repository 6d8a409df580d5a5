using System.Net;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Relay.Server;
using Microsoft.AspNetCore.Http.Extensions;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>
/// <c>/moq</c>: the relay's WebSocket listener (QMux framing, see the Moqt Transport README). Authentication
/// is the relay token (<c>?jwt=</c>/<c>?token=</c> or SETUP's AUTHORIZATION TOKEN), checked by the relay at
/// SETUP, so this path is outside the API-key middleware.
/// </summary>
internal static class RelayEndpoints
{
    public const string Path = "/moq";

    /// <summary>MoQT protocols accepted in the subprotocol; a bare <c>qmux-VV</c> leaves the version to SETUP.</summary>
    private static readonly string[] ApplicationProtocols = ["moq-00"];

    public static void Map(WebApplication app)
    {
        app.Map(Path, AcceptAsync).ExcludeFromDescription();
        RelayCertificateEndpoint.Map(app);
    }

    private static async Task AcceptAsync(HttpContext http, MoqtRelayServer relay)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.Headers.Upgrade = "websocket";
            await Api.Problems.Write(http, StatusCodes.Status426UpgradeRequired, "Upgrade required", "/moq is the relay's WebSocket endpoint; connect with a WebSocket offering a qmux subprotocol.").ConfigureAwait(false);
            return;
        }

        var protocol = QmuxSubprotocol.Select(http.WebSockets.WebSocketRequestedProtocols, ApplicationProtocols);
        if (protocol is null)
        {
            await Api.Problems.Write(http, StatusCodes.Status400BadRequest, "No usable subprotocol", "Offer a QMux subprotocol (qmux-02.moq-00, qmux-01, qmux-00, ...) in Sec-WebSocket-Protocol.").ConfigureAwait(false);
            return;
        }

        var ct = http.RequestAborted;
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol.Value).ConfigureAwait(false);
        var info = MoqtConnectionInfo.FromRequest(
            new Uri(http.Request.GetEncodedUrl()),
            protocol.ApplicationProtocol,
            QmuxSubprotocol.VersionToken(protocol.Version),
            http.Request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin : null);
        var remote = http.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, http.Connection.RemotePort) : null;
        WebSocketTransportConnection connection;
        try
        {
            connection = await WebSocketTransportConnection.AcceptAsync(socket, protocol, info, remote, MoqtTransportLimits.Default, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or IOException)
        {
            return; // The peer went away before the transport started.
        }

        await using (connection.ConfigureAwait(false))
        {
            // The relay runs SETUP (token check included) and serves the session; this request lives as long as the connection.
            _ = await relay.AcceptConnectionAsync(connection, ct).ConfigureAwait(false);
            await connection.Closed.ConfigureAwait(false);
        }
    }
}
