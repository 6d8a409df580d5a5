namespace ClutchCall.Voice.Moqt.Client;

/// <summary>Where a <see cref="MoqtClient"/> is in its connection life.</summary>
internal enum MoqtClientState
{
    /// <summary>First connection in progress.</summary>
    Connecting,

    /// <summary>A session is up; publications and subscriptions flow.</summary>
    Connected,

    /// <summary>The link was lost (or the relay said GOAWAY); reconnecting with backoff.</summary>
    Reconnecting,

    /// <summary>Disposed.</summary>
    Closed,
}
