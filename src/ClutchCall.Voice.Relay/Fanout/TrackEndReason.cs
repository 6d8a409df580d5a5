namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>Why a subscriber's flow of a track ended.</summary>
internal enum TrackEndReason
{
    /// <summary>Still flowing.</summary>
    None,

    /// <summary>The publisher said the track is over.</summary>
    TrackEnded,

    /// <summary>The subscriber unsubscribed.</summary>
    Unsubscribed,

    /// <summary>The subscriber's session is gone.</summary>
    SessionClosed,

    /// <summary>The relay is shutting down.</summary>
    GoingAway,
}
