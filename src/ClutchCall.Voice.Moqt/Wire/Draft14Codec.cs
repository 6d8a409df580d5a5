using System.Buffers;
using System.Text;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>Control-message payloads of draft-ietf-moq-transport-14 §9.</summary>
internal sealed class Draft14Codec : IMoqtWireCodec
{
    public static Draft14Codec Instance { get; } = new();

    private Draft14Codec()
    {
    }

    public MoqtVersion Version => MoqtVersion.Draft14;

    public bool IsKnownType(ulong wireType) => wireType switch
    {
        >= 0x02 and <= 0x1A => true,
        >= 0x1D and <= 0x21 => true,
        _ => false,
    };

    public ulong GetWireType(MoqtControlMessage message) => (ulong)message.Type;

    public MoqtControlMessage ReadPayload(ulong wireType, ReadOnlySpan<byte> payload)
    {
        var r = new MoqtSpanReader(payload);
        MoqtControlMessage message = (MoqtMessageType)wireType switch
        {
            MoqtMessageType.ClientSetup => ReadClientSetup(ref r),
            MoqtMessageType.ServerSetup => new ServerSetupMessage
            {
                SelectedVersion = (MoqtVersion)r.ReadVarint("selected_version"),
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.Setup),
            },
            MoqtMessageType.GoAway => new GoAwayMessage
            {
                // §9.4: the New Session URI is at most 8,192 bytes, else PROTOCOL_VIOLATION.
                NewSessionUri = Encoding.UTF8.GetString(r.ReadLengthPrefixed("new_session_uri", GoAwayMessage.MaxUriLength)),
            },
            MoqtMessageType.MaxRequestId => new MaxRequestIdMessage { RequestId = r.ReadVarint("request_id") },
            MoqtMessageType.RequestsBlocked => new RequestsBlockedMessage { MaximumRequestId = r.ReadVarint("maximum_request_id") },
            MoqtMessageType.Subscribe => ReadSubscribe(ref r),
            MoqtMessageType.SubscribeOk => ReadSubscribeOk(ref r),
            MoqtMessageType.SubscribeError => new SubscribeErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtSubscribeErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.SubscribeUpdate => new SubscribeUpdateMessage
            {
                RequestId = r.ReadVarint("request_id"),
                SubscriptionRequestId = r.ReadVarint("subscription_request_id"),
                StartLocation = MoqtWireFields.ReadLocation(ref r, "start_location"),
                EndGroup = r.ReadVarint("end_group"),
                SubscriberPriority = r.ReadByte("subscriber_priority"),
                Forward = MoqtWireFields.ReadFlag(ref r, "forward"),
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
            },
            MoqtMessageType.Unsubscribe => new UnsubscribeMessage { RequestId = r.ReadVarint("request_id") },
            MoqtMessageType.PublishDone => new PublishDoneMessage
            {
                RequestId = r.ReadVarint("request_id"),
                StatusCode = (MoqtPublishDoneCode)r.ReadVarint("status_code"),
                StreamCount = r.ReadVarint("stream_count"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.Publish => ReadPublish(ref r),
            MoqtMessageType.PublishOk => ReadPublishOk(ref r),
            MoqtMessageType.PublishError => new PublishErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtPublishErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.Fetch => ReadFetch(ref r),
            MoqtMessageType.FetchOk => new FetchOkMessage
            {
                RequestId = r.ReadVarint("request_id"),
                GroupOrder = MoqtWireFields.ReadGroupOrder(ref r),
                EndOfTrack = MoqtWireFields.ReadFlag(ref r, "end_of_track"),
                EndLocation = MoqtWireFields.ReadLocation(ref r, "end_location"),
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
            },
            MoqtMessageType.FetchError => new FetchErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtFetchErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.FetchCancel => new FetchCancelMessage { RequestId = r.ReadVarint("request_id") },
            MoqtMessageType.TrackStatus => ReadTrackStatus(ref r),
            MoqtMessageType.TrackStatusOk => ReadTrackStatusOk(ref r),
            MoqtMessageType.TrackStatusError => new TrackStatusErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtSubscribeErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.PublishNamespace => new PublishNamespaceMessage
            {
                RequestId = r.ReadVarint("request_id"),
                Namespace = MoqtWireFields.ReadNamespace(ref r, "track_namespace"),
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
            },
            MoqtMessageType.PublishNamespaceOk => new PublishNamespaceOkMessage
            {
                RequestId = r.ReadVarint("request_id"),
                Parameters = ReadOptionalParameters(ref r),
            },
            MoqtMessageType.PublishNamespaceError => new PublishNamespaceErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtPublishNamespaceErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.PublishNamespaceDone => new PublishNamespaceDoneMessage
            {
                Namespace = MoqtWireFields.ReadNamespace(ref r, "track_namespace"),
            },
            MoqtMessageType.PublishNamespaceCancel => new PublishNamespaceCancelMessage
            {
                Namespace = MoqtWireFields.ReadNamespace(ref r, "track_namespace"),
                ErrorCode = (MoqtPublishNamespaceErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.SubscribeNamespace => new SubscribeNamespaceMessage
            {
                RequestId = r.ReadVarint("request_id"),
                NamespacePrefix = MoqtWireFields.ReadNamespace(ref r, "namespace_prefix"),
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
            },
            MoqtMessageType.SubscribeNamespaceOk => new SubscribeNamespaceOkMessage
            {
                RequestId = r.ReadVarint("request_id"),
                Parameters = ReadOptionalParameters(ref r),
            },
            MoqtMessageType.SubscribeNamespaceError => new SubscribeNamespaceErrorMessage
            {
                RequestId = r.ReadVarint("request_id"),
                ErrorCode = (MoqtSubscribeNamespaceErrorCode)r.ReadVarint("error_code"),
                ReasonPhrase = MoqtWireFields.ReadReasonPhrase(ref r),
            },
            MoqtMessageType.UnsubscribeNamespace => new UnsubscribeNamespaceMessage
            {
                NamespacePrefix = MoqtWireFields.ReadNamespace(ref r, "track_namespace_prefix"),
            },

            // §9: "An endpoint that receives an unknown message type MUST close the session."
            _ => throw MoqtProtocolException.Violation($"Unknown control message type 0x{wireType:x}."),
        };

        // §9: "If the length does not match the length of the Message Payload, the receiver MUST close the session
        // with PROTOCOL_VIOLATION." Running short threw above; bytes left over land here.
        if (!r.End)
        {
            throw MoqtProtocolException.Violation(
                $"{message.Type} payload has {r.Remaining} bytes past its last field: its length disagrees with its content.");
        }

        return message;
    }

    public void WritePayload(IBufferWriter<byte> w, MoqtControlMessage message)
    {
        switch (message)
        {
            case ClientSetupMessage m:
                if (m.SupportedVersions.Count == 0)
                {
                    throw new ArgumentException("CLIENT_SETUP offers at least one version.", nameof(message));
                }

                w.WriteVarint((ulong)m.SupportedVersions.Count);
                foreach (var v in m.SupportedVersions)
                {
                    w.WriteVarint((ulong)v);
                }

                m.Parameters.Write(w);
                break;
            case ServerSetupMessage m:
                w.WriteVarint((ulong)m.SelectedVersion);
                m.Parameters.Write(w);
                break;
            case GoAwayMessage m:
                var uri = Encoding.UTF8.GetBytes(m.NewSessionUri);
                if (uri.Length > GoAwayMessage.MaxUriLength)
                {
                    throw new ArgumentException($"A GOAWAY URI is at most {GoAwayMessage.MaxUriLength} bytes.", nameof(message));
                }

                w.WriteLengthPrefixed(uri);
                break;
            case MaxRequestIdMessage m:
                w.WriteVarint(m.RequestId);
                break;
            case RequestsBlockedMessage m:
                w.WriteVarint(m.MaximumRequestId);
                break;
            case SubscribeMessage m:
                WriteSubscribeLayout(w, m.RequestId, m.Track, m.SubscriberPriority, m.GroupOrder, m.Forward, m.Filter, m.Parameters);
                break;
            case SubscribeOkMessage m:
                WriteSubscribeOkLayout(w, m.RequestId, m.TrackAlias, m.Expires, m.GroupOrder, m.LargestLocation, m.Parameters);
                break;
            case SubscribeErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case SubscribeUpdateMessage m:
                w.WriteVarint(m.RequestId);
                w.WriteVarint(m.SubscriptionRequestId);
                MoqtWireFields.WriteLocation(w, m.StartLocation);
                w.WriteVarint(m.EndGroup);
                w.WriteByte(m.SubscriberPriority);
                w.WriteByte(m.Forward ? (byte)1 : (byte)0);
                m.Parameters.Write(w);
                break;
            case UnsubscribeMessage m:
                w.WriteVarint(m.RequestId);
                break;
            case PublishDoneMessage m:
                w.WriteVarint(m.RequestId);
                w.WriteVarint((ulong)m.StatusCode);
                w.WriteVarint(m.StreamCount);
                MoqtWireFields.WriteReasonPhrase(w, m.ReasonPhrase);
                break;
            case PublishMessage m:
                w.WriteVarint(m.RequestId);
                MoqtWireFields.WriteFullTrackName(w, m.Track);
                w.WriteVarint(m.TrackAlias);
                w.WriteByte((byte)m.GroupOrder);
                WriteContent(w, m.LargestLocation);
                w.WriteByte(m.Forward ? (byte)1 : (byte)0);
                m.Parameters.Write(w);
                break;
            case PublishOkMessage m:
                w.WriteVarint(m.RequestId);
                w.WriteByte(m.Forward ? (byte)1 : (byte)0);
                w.WriteByte(m.SubscriberPriority);
                w.WriteByte((byte)m.GroupOrder);
                WriteFilter(w, m.Filter);
                m.Parameters.Write(w);
                break;
            case PublishErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case FetchMessage m:
                WriteFetch(w, m);
                break;
            case FetchOkMessage m:
                w.WriteVarint(m.RequestId);
                w.WriteByte((byte)m.GroupOrder);
                w.WriteByte(m.EndOfTrack ? (byte)1 : (byte)0);
                MoqtWireFields.WriteLocation(w, m.EndLocation);
                m.Parameters.Write(w);
                break;
            case FetchErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case FetchCancelMessage m:
                w.WriteVarint(m.RequestId);
                break;
            case TrackStatusMessage m:
                WriteSubscribeLayout(w, m.RequestId, m.Track, m.SubscriberPriority, m.GroupOrder, m.Forward, m.Filter, m.Parameters);
                break;
            case TrackStatusOkMessage m:
                WriteSubscribeOkLayout(w, m.RequestId, m.TrackAlias, m.Expires, m.GroupOrder, m.LargestLocation, m.Parameters);
                break;
            case TrackStatusErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case PublishNamespaceMessage m:
                w.WriteVarint(m.RequestId);
                MoqtWireFields.WriteNamespace(w, m.Namespace);
                m.Parameters.Write(w);
                break;
            case PublishNamespaceOkMessage m:
                w.WriteVarint(m.RequestId);
                m.Parameters?.Write(w);
                break;
            case PublishNamespaceErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case PublishNamespaceDoneMessage m:
                MoqtWireFields.WriteNamespace(w, m.Namespace);
                break;
            case PublishNamespaceCancelMessage m:
                MoqtWireFields.WriteNamespace(w, m.Namespace);
                w.WriteVarint((ulong)m.ErrorCode);
                MoqtWireFields.WriteReasonPhrase(w, m.ReasonPhrase);
                break;
            case SubscribeNamespaceMessage m:
                w.WriteVarint(m.RequestId);
                MoqtWireFields.WriteNamespace(w, m.NamespacePrefix);
                m.Parameters.Write(w);
                break;
            case SubscribeNamespaceOkMessage m:
                w.WriteVarint(m.RequestId);
                m.Parameters?.Write(w);
                break;
            case SubscribeNamespaceErrorMessage m:
                WriteRequestError(w, m.RequestId, (ulong)m.ErrorCode, m.ReasonPhrase);
                break;
            case UnsubscribeNamespaceMessage m:
                MoqtWireFields.WriteNamespace(w, m.NamespacePrefix);
                break;
            default:
                throw new ArgumentException($"Draft-14 has no layout for {message.GetType().Name}.", nameof(message));
        }
    }

    // §9.3: CLIENT_SETUP offers at least one version.
    private static ClientSetupMessage ReadClientSetup(ref MoqtSpanReader r)
    {
        var count = r.ReadVarint("supported_versions count");
        if (count == 0)
        {
            throw MoqtProtocolException.Violation("CLIENT_SETUP offers no version.");
        }

        if (count > (ulong)r.Remaining)
        {
            throw MoqtProtocolException.Violation($"CLIENT_SETUP claims {count} versions; the message cannot hold them.");
        }

        var versions = new MoqtVersion[(int)count];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = (MoqtVersion)r.ReadVarint("supported_versions");
        }

        return new ClientSetupMessage
        {
            SupportedVersions = versions,
            Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.Setup),
        };
    }

    // §9.7 SUBSCRIBE; §9.20 TRACK_STATUS shares the layout.
    private static SubscribeMessage ReadSubscribe(ref MoqtSpanReader r) => new()
    {
        RequestId = r.ReadVarint("request_id"),
        Track = MoqtWireFields.ReadFullTrackName(ref r),
        SubscriberPriority = r.ReadByte("subscriber_priority"),
        GroupOrder = MoqtWireFields.ReadGroupOrder(ref r),
        Forward = MoqtWireFields.ReadFlag(ref r, "forward"),
        Filter = ReadFilter(ref r),
        Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
    };

    private static TrackStatusMessage ReadTrackStatus(ref MoqtSpanReader r)
    {
        var s = ReadSubscribe(ref r);
        return new TrackStatusMessage
        {
            RequestId = s.RequestId,
            Track = s.Track,
            SubscriberPriority = s.SubscriberPriority,
            GroupOrder = s.GroupOrder,
            Forward = s.Forward,
            Filter = s.Filter,
            Parameters = s.Parameters,
        };
    }

    // §9.8 SUBSCRIBE_OK; §9.21 TRACK_STATUS_OK shares the layout.
    private static SubscribeOkMessage ReadSubscribeOk(ref MoqtSpanReader r) => new()
    {
        RequestId = r.ReadVarint("request_id"),
        TrackAlias = r.ReadVarint("track_alias"),
        Expires = r.ReadVarint("expires"),
        GroupOrder = MoqtWireFields.ReadGroupOrder(ref r),
        LargestLocation = ReadContent(ref r),
        Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
    };

    private static TrackStatusOkMessage ReadTrackStatusOk(ref MoqtSpanReader r)
    {
        var s = ReadSubscribeOk(ref r);
        return new TrackStatusOkMessage
        {
            RequestId = s.RequestId,
            TrackAlias = s.TrackAlias,
            Expires = s.Expires,
            GroupOrder = s.GroupOrder,
            LargestLocation = s.LargestLocation,
            Parameters = s.Parameters,
        };
    }

    // §9.13 PUBLISH.
    private static PublishMessage ReadPublish(ref MoqtSpanReader r) => new()
    {
        RequestId = r.ReadVarint("request_id"),
        Track = MoqtWireFields.ReadFullTrackName(ref r),
        TrackAlias = r.ReadVarint("track_alias"),
        GroupOrder = MoqtWireFields.ReadGroupOrder(ref r),
        LargestLocation = ReadContent(ref r),
        Forward = MoqtWireFields.ReadFlag(ref r, "forward"),
        Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
    };

    // §9.14 PUBLISH_OK.
    private static PublishOkMessage ReadPublishOk(ref MoqtSpanReader r) => new()
    {
        RequestId = r.ReadVarint("request_id"),
        Forward = MoqtWireFields.ReadFlag(ref r, "forward"),
        SubscriberPriority = r.ReadByte("subscriber_priority"),
        GroupOrder = MoqtWireFields.ReadGroupOrder(ref r),
        Filter = ReadFilter(ref r),
        Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
    };

    // §9.16 FETCH: a Standalone or Joining structure follows the Fetch Type.
    private static FetchMessage ReadFetch(ref MoqtSpanReader r)
    {
        var requestId = r.ReadVarint("request_id");
        var priority = r.ReadByte("subscriber_priority");
        var order = MoqtWireFields.ReadGroupOrder(ref r);
        var typeRaw = r.ReadVarint("fetch_type");
        if (typeRaw is < 1 or > 3)
        {
            // §9.16: "An endpoint that receives a Fetch Type other than 0x1, 0x2 or 0x3 MUST close the session
            // with a PROTOCOL_VIOLATION."
            throw MoqtProtocolException.Violation($"fetch_type {typeRaw} is not 1, 2 or 3.");
        }

        var type = (MoqtFetchType)typeRaw;
        if (type == MoqtFetchType.Standalone)
        {
            var track = MoqtWireFields.ReadFullTrackName(ref r);
            var start = MoqtWireFields.ReadLocation(ref r, "start_location");
            var end = MoqtWireFields.ReadLocation(ref r, "end_location");
            return new FetchMessage
            {
                RequestId = requestId,
                SubscriberPriority = priority,
                GroupOrder = order,
                FetchType = type,
                Track = track,
                StartLocation = start,
                EndLocation = end,
                Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
            };
        }

        var joiningRequestId = r.ReadVarint("joining_request_id");
        var joiningStart = r.ReadVarint("joining_start");
        return new FetchMessage
        {
            RequestId = requestId,
            SubscriberPriority = priority,
            GroupOrder = order,
            FetchType = type,
            JoiningRequestId = joiningRequestId,
            JoiningStart = joiningStart,
            Parameters = MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific),
        };
    }

    // §9.7 Filter Type: "An endpoint that receives a filter type other than the above MUST close the session with
    // PROTOCOL_VIOLATION." Start Location for AbsoluteStart/AbsoluteRange, End Group for AbsoluteRange.
    private static MoqtSubscriptionFilter ReadFilter(ref MoqtSpanReader r)
    {
        var raw = r.ReadVarint("filter_type");
        if (raw is < 1 or > 4)
        {
            throw MoqtProtocolException.Violation($"filter_type {raw} is not a defined filter type.");
        }

        var type = (MoqtFilterType)raw;
        var filter = new MoqtSubscriptionFilter(type);
        if (filter.HasStart)
        {
            filter = filter with { Start = MoqtWireFields.ReadLocation(ref r, "start_location") };
        }

        if (filter.HasEndGroup)
        {
            filter = filter with { EndGroup = r.ReadVarint("end_group") };
        }

        return filter;
    }

    // §9.8 Content Exists (8): 1 → Largest Location follows; anything but 0/1 is a PROTOCOL_VIOLATION.
    private static Location? ReadContent(ref MoqtSpanReader r) =>
        MoqtWireFields.ReadFlag(ref r, "content_exists") ? MoqtWireFields.ReadLocation(ref r, "largest_location") : null;

    // The draft-14 text has no parameters in PUBLISH_NAMESPACE_OK / SUBSCRIBE_NAMESPACE_OK; the vectors do.
    private static MoqtParameters? ReadOptionalParameters(ref MoqtSpanReader r) =>
        r.End ? null : MoqtParameters.Read(ref r, MoqtParameterSpace.VersionSpecific);

    private static void WriteSubscribeLayout(
        IBufferWriter<byte> w, ulong requestId, FullTrackName track, byte priority, MoqtGroupOrder order, bool forward,
        MoqtSubscriptionFilter filter, MoqtParameters parameters)
    {
        w.WriteVarint(requestId);
        MoqtWireFields.WriteFullTrackName(w, track);
        w.WriteByte(priority);
        w.WriteByte((byte)order);
        w.WriteByte(forward ? (byte)1 : (byte)0);
        WriteFilter(w, filter);
        parameters.Write(w);
    }

    private static void WriteSubscribeOkLayout(
        IBufferWriter<byte> w, ulong requestId, ulong alias, ulong expires, MoqtGroupOrder order, Location? largest,
        MoqtParameters parameters)
    {
        w.WriteVarint(requestId);
        w.WriteVarint(alias);
        w.WriteVarint(expires);
        w.WriteByte((byte)order);
        WriteContent(w, largest);
        parameters.Write(w);
    }

    private static void WriteFilter(IBufferWriter<byte> w, MoqtSubscriptionFilter filter)
    {
        w.WriteVarint((ulong)filter.Type);
        if (filter.HasStart)
        {
            MoqtWireFields.WriteLocation(w, filter.Start);
        }

        if (filter.HasEndGroup)
        {
            w.WriteVarint(filter.EndGroup);
        }
    }

    private static void WriteContent(IBufferWriter<byte> w, Location? largest)
    {
        w.WriteByte(largest.HasValue ? (byte)1 : (byte)0);
        if (largest is { } location)
        {
            MoqtWireFields.WriteLocation(w, location);
        }
    }

    private static void WriteRequestError(IBufferWriter<byte> w, ulong requestId, ulong code, string reason)
    {
        w.WriteVarint(requestId);
        w.WriteVarint(code);
        MoqtWireFields.WriteReasonPhrase(w, reason);
    }

    private static void WriteFetch(IBufferWriter<byte> w, FetchMessage m)
    {
        w.WriteVarint(m.RequestId);
        w.WriteByte(m.SubscriberPriority);
        w.WriteByte((byte)m.GroupOrder);
        w.WriteVarint((ulong)m.FetchType);
        if (m.FetchType == MoqtFetchType.Standalone)
        {
            MoqtWireFields.WriteFullTrackName(w, m.Track ?? throw new ArgumentException("A standalone FETCH names its track.", nameof(m)));
            MoqtWireFields.WriteLocation(w, m.StartLocation);
            MoqtWireFields.WriteLocation(w, m.EndLocation);
        }
        else
        {
            w.WriteVarint(m.JoiningRequestId);
            w.WriteVarint(m.JoiningStart);
        }

        m.Parameters.Write(w);
    }
}
