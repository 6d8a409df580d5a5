using System.Collections.Concurrent;
using ClutchCall.Voice.Moqt;

namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// The relay's tracks keyed by full track name, plus the publishers of whole namespaces
/// (PUBLISH_NAMESPACE, draft-ietf-moq-transport-14 §9.20) that the relay subscribes to on demand.
/// </summary>
internal sealed class RelayTrackRegistry
{
    private readonly ConcurrentDictionary<FullTrackName, RelayTrack> _tracks = new();
    private readonly Lock _namespaceGate = new();
    private readonly List<(TrackNamespace Prefix, INamespacePublisher Publisher)> _namespacePublishers = [];

    public RelayTrackRegistry(DeliveryProfile? profile = null, TimeProvider? time = null)
    {
        Profile = profile ?? DeliveryProfile.Audio;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The delivery profile every track uses.</summary>
    public DeliveryProfile Profile { get; }

    /// <summary>The relay's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Number of tracks known.</summary>
    public int Count => _tracks.Count;

    /// <summary>The track for <paramref name="name"/>, created when absent.</summary>
    public RelayTrack GetOrAdd(FullTrackName name) => _tracks.GetOrAdd(name, static (n, p) => new RelayTrack(n, p), Profile);

    /// <summary>The track for <paramref name="name"/> when it exists.</summary>
    public bool TryGet(FullTrackName name, out RelayTrack track) => _tracks.TryGetValue(name, out track!);

    /// <summary>Forgets the track when it has neither publisher nor subscribers.</summary>
    public void RemoveIfIdle(RelayTrack track)
    {
        if (track.IsIdle)
        {
            ((ICollection<KeyValuePair<FullTrackName, RelayTrack>>)_tracks).Remove(new(track.Name, track));
        }
    }

    /// <summary>A new subscriber queue with the registry's profile and clock.</summary>
    public SubscriberQueue CreateQueue() => new(Profile, Time);

    /// <summary>Registers a namespace publisher; false when the exact namespace is already published.</summary>
    public bool AddNamespacePublisher(TrackNamespace prefix, INamespacePublisher publisher)
    {
        lock (_namespaceGate)
        {
            foreach (var (p, _) in _namespacePublishers)
            {
                if (p.Equals(prefix))
                {
                    return false;
                }
            }

            _namespacePublishers.Add((prefix, publisher));
            return true;
        }
    }

    /// <summary>Removes a namespace publisher registration.</summary>
    public void RemoveNamespacePublisher(TrackNamespace prefix, INamespacePublisher publisher)
    {
        lock (_namespaceGate)
        {
            _namespacePublishers.RemoveAll(e => e.Prefix.Equals(prefix) && ReferenceEquals(e.Publisher, publisher));
        }
    }

    /// <summary>The publisher of the longest namespace prefix covering <paramref name="name"/>, if any.</summary>
    public INamespacePublisher? FindNamespacePublisher(FullTrackName name)
    {
        lock (_namespaceGate)
        {
            INamespacePublisher? best = null;
            var bestLength = -1;
            foreach (var (prefix, publisher) in _namespacePublishers)
            {
                if (name.Namespace.StartsWith(prefix) && prefix.Count > bestLength)
                {
                    best = publisher;
                    bestLength = prefix.Count;
                }
            }

            return best;
        }
    }

    /// <summary>Namespaces currently published under <paramref name="prefix"/> (for SUBSCRIBE_NAMESPACE).</summary>
    public List<TrackNamespace> NamespacesUnder(TrackNamespace prefix)
    {
        lock (_namespaceGate)
        {
            var result = new List<TrackNamespace>();
            foreach (var (p, _) in _namespacePublishers)
            {
                if (p.StartsWith(prefix))
                {
                    result.Add(p);
                }
            }

            return result;
        }
    }

    /// <summary>Every track (snapshot).</summary>
    public RelayTrack[] Snapshot() => [.. _tracks.Values];

    /// <summary>Closes every track (relay shutdown).</summary>
    public void CloseAll(TrackEndReason reason)
    {
        foreach (var t in _tracks.Values)
        {
            t.Close(reason);
        }

        _tracks.Clear();
    }
}
