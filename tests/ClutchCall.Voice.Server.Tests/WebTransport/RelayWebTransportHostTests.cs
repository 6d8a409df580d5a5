using System.Net;
using System.Net.Http.Headers;
using System.Net.Quic;
using System.Text.Json;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using static ClutchCall.Voice.Server.Tests.WebTransport.QuicTestSupport;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>The server host starts the relay's WebTransport listener from configuration and publishes its certificate hash.</summary>
public sealed class RelayWebTransportHostTests
{
    [Fact]
    public async Task Host_WithWebTransportPort_ServesCertificateHashAndRelayRefusesTokenlessSetup()
    {
        var settings = new Dictionary<string, string>
        {
            ["Relay:WebTransport:Port"] = "0",
            ["Relay:WebTransport:Address"] = "127.0.0.1",
        };

        // SQLite backend: the PostgreSQL fixture is not used.
        await using var server = await TestServer.StartAsync(Backend.Sqlite, null!, settings: settings);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.GetAsync(server.BaseUrl + "/v1/relay/certificate-hash", Ct);
        if (!QuicListener.IsSupported)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            RequireQuic("the host's WebTransport listener");
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("sha-256", body.RootElement.GetProperty("algorithm").GetString());
        var hash = Convert.FromBase64String(body.RootElement.GetProperty("value").GetString()!);
        Assert.Equal(32, hash.Length);
        var port = body.RootElement.GetProperty("port").GetInt32();
        Assert.True(body.RootElement.GetProperty("notAfter").GetDateTimeOffset() - DateTimeOffset.UtcNow < TimeSpan.FromDays(14));

        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(server.BaseUrl + "/v1/relay/certificate-hash", Ct)).StatusCode);

        // The hash is what a browser passes in serverCertificateHashes; our connector checks it the same way.
        var connection = await new WebTransportConnector().ConnectAsync(
            new Uri($"https://127.0.0.1:{port}/moq"),
            new MoqtTransportConnectOptions { ApplicationProtocols = ["moq-00"], ServerCertificateHashes = [hash] },
            Ct);
        Assert.Equal("moq-00", connection.Info.ApplicationProtocol);
        var refused = await Assert.ThrowsAsync<MoqtProtocolException>(async () => await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions(), Ct));
        Assert.Equal(MoqtSessionErrorCode.Unauthorized, refused.Code);
        await connection.DisposeAsync();
    }
}
