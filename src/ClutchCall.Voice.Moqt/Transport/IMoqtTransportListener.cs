using System.Net;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>Server side of a transport: yields each new client connection, already set up.</summary>
internal interface IMoqtTransportListener : IAsyncDisposable
{
    /// <summary>Short name for logs: same as the connections' <see cref="IMoqtTransportConnection.TransportName"/>.</summary>
    string TransportName { get; }

    /// <summary>Where the listener listens, when it has an address (the actual port after binding to 0).</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>
    /// Waits for the next client whose transport handshake completed. Handshake failures of single
    /// clients are swallowed and never surface here.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
    ValueTask<IMoqtTransportConnection> AcceptAsync(CancellationToken cancellationToken);
}
