using System.Text;
using System.Text.Json;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>Builds the expected message from a vector's <c>decoded</c> object, independently of the codec's reader.</summary>
internal static class VectorMessageBuilder
{
    public static MoqtControlMessage Build(string messageType, JsonElement d) => messageType switch
    {
        "client_setup" => new ClientSetupMessage
        {
            SupportedVersions = d.GetProperty("supported_versions").EnumerateArray()
                .Select(v => (MoqtVersion)ulong.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            Parameters = Params(d, setup: true),
        },
        "server_setup" => new ServerSetupMessage { SelectedVersion = (MoqtVersion)d.U("selected_version"), Parameters = Params(d, setup: true) },
        "goaway" => new GoAwayMessage { NewSessionUri = d.S("new_session_uri") },
        "max_request_id" => new MaxRequestIdMessage { RequestId = d.U("request_id") },
        "requests_blocked" => new RequestsBlockedMessage { MaximumRequestId = d.U("request_id") },
        "subscribe" => new SubscribeMessage
        {
            RequestId = d.U("request_id"),
            Track = Track(d),
            SubscriberPriority = (byte)d.U("subscriber_priority"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            Forward = d.U("forward") == 1,
            Filter = Filter(d),
            Parameters = Params(d),
        },
        "track_status" => new TrackStatusMessage
        {
            RequestId = d.U("request_id"),
            Track = Track(d),
            SubscriberPriority = (byte)d.U("subscriber_priority"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            Forward = d.U("forward") == 1,
            Filter = Filter(d),
            Parameters = Params(d),
        },
        "subscribe_ok" => new SubscribeOkMessage
        {
            RequestId = d.U("request_id"),
            TrackAlias = d.U("track_alias"),
            Expires = d.U("expires"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            LargestLocation = Largest(d),
            Parameters = Params(d),
        },
        "track_status_ok" => new TrackStatusOkMessage
        {
            RequestId = d.U("request_id"),
            TrackAlias = d.U("track_alias"),
            Expires = d.U("expires"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            LargestLocation = Largest(d),
            Parameters = Params(d),
        },
        "subscribe_error" => new SubscribeErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtSubscribeErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "track_status_error" => new TrackStatusErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtSubscribeErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "subscribe_update" => new SubscribeUpdateMessage
        {
            RequestId = d.U("request_id"),
            SubscriptionRequestId = d.U("subscription_request_id"),
            StartLocation = new Location(d.U("start_group"), d.U("start_object")),
            EndGroup = d.U("end_group"),
            SubscriberPriority = (byte)d.U("subscriber_priority"),
            Forward = d.U("forward") == 1,
            Parameters = Params(d),
        },
        "unsubscribe" => new UnsubscribeMessage { RequestId = d.U("request_id") },
        "publish_done" => new PublishDoneMessage
        {
            RequestId = d.U("request_id"),
            StatusCode = (MoqtPublishDoneCode)d.U("status_code"),
            StreamCount = d.U("stream_count"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "publish" => new PublishMessage
        {
            RequestId = d.U("request_id"),
            Track = Track(d),
            TrackAlias = d.U("track_alias"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            LargestLocation = Largest(d),
            Forward = d.U("forward") == 1,
            Parameters = Params(d),
        },
        "publish_ok" => new PublishOkMessage
        {
            RequestId = d.U("request_id"),
            Forward = d.U("forward") == 1,
            SubscriberPriority = (byte)d.U("subscriber_priority"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            Filter = Filter(d),
            Parameters = Params(d),
        },
        "publish_error" => new PublishErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtPublishErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "fetch" => Fetch(d),
        "fetch_ok" => new FetchOkMessage
        {
            RequestId = d.U("request_id"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            EndOfTrack = d.U("end_of_track") == 1,
            EndLocation = Loc(d.GetProperty("end_location")),
            Parameters = Params(d),
        },
        "fetch_error" => new FetchErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtFetchErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "fetch_cancel" => new FetchCancelMessage { RequestId = d.U("request_id") },
        "publish_namespace" => new PublishNamespaceMessage
        {
            RequestId = d.U("request_id"),
            Namespace = Ns(d, "track_namespace"),
            Parameters = Params(d),
        },
        "publish_namespace_ok" => new PublishNamespaceOkMessage
        {
            RequestId = d.U("request_id"),
            Parameters = d.TryGetProperty("parameters", out _) ? Params(d) : null,
        },
        "publish_namespace_error" => new PublishNamespaceErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtPublishNamespaceErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "publish_namespace_done" => new PublishNamespaceDoneMessage { Namespace = Ns(d, "track_namespace") },
        "publish_namespace_cancel" => new PublishNamespaceCancelMessage
        {
            Namespace = Ns(d, "track_namespace"),
            ErrorCode = (MoqtPublishNamespaceErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "subscribe_namespace" => new SubscribeNamespaceMessage
        {
            RequestId = d.U("request_id"),
            NamespacePrefix = Ns(d, "namespace_prefix"),
            Parameters = Params(d),
        },
        "subscribe_namespace_ok" => new SubscribeNamespaceOkMessage
        {
            RequestId = d.U("request_id"),
            Parameters = d.TryGetProperty("parameters", out _) ? Params(d) : null,
        },
        "subscribe_namespace_error" => new SubscribeNamespaceErrorMessage
        {
            RequestId = d.U("request_id"),
            ErrorCode = (MoqtSubscribeNamespaceErrorCode)d.U("error_code"),
            ReasonPhrase = d.S("reason_phrase"),
        },
        "unsubscribe_namespace" => new UnsubscribeNamespaceMessage { NamespacePrefix = Ns(d, "track_namespace_prefix") },
        _ => throw new InvalidOperationException($"No builder for vector message type '{messageType}'."),
    };

    private static FetchMessage Fetch(JsonElement d)
    {
        var type = (MoqtFetchType)d.U("fetch_type");
        var m = new FetchMessage
        {
            RequestId = d.U("request_id"),
            SubscriberPriority = (byte)d.U("subscriber_priority"),
            GroupOrder = (MoqtGroupOrder)d.U("group_order"),
            FetchType = type,
            Parameters = Params(d),
        };
        return type == MoqtFetchType.Standalone
            ? m with
            {
                Track = Track(d),
                StartLocation = new Location(d.U("start_group"), d.U("start_object")),
                EndLocation = new Location(d.U("end_group"), d.U("end_object")),
            }
            : m with { JoiningRequestId = d.U("joining_request_id"), JoiningStart = d.U("joining_start") };
    }

    private static TrackNamespace Ns(JsonElement d, string name) =>
        TrackNamespace.FromStrings(d.GetProperty(name).EnumerateArray().Select(f => f.GetString()!).ToArray());

    private static FullTrackName Track(JsonElement d) => new(Ns(d, "track_namespace"), d.S("track_name"));

    private static Location Loc(JsonElement e) => new(e.U("group"), e.U("object"));

    private static Location? Largest(JsonElement d) =>
        d.U("content_exists") == 1 ? Loc(d.GetProperty("largest_location")) : null;

    private static MoqtSubscriptionFilter Filter(JsonElement d)
    {
        var type = (MoqtFilterType)d.U("filter_type");
        var f = new MoqtSubscriptionFilter(type);
        if (d.OptU("start_group") is { } g)
        {
            f = f with { Start = new Location(g, d.U("start_object")) };
        }

        if (d.OptU("end_group") is { } e)
        {
            f = f with { EndGroup = e };
        }

        return f;
    }

    private static MoqtParameters Params(JsonElement d, bool setup = false)
    {
        var list = new List<MoqtParameter>();
        foreach (var p in d.GetProperty("parameters").EnumerateObject())
        {
            switch (p.Name)
            {
                case "max_request_id" when setup:
                    list.Add(MoqtParameter.Varint((ulong)MoqtSetupParameterKey.MaxRequestId, d.GetProperty("parameters").U(p.Name)));
                    break;
                case "max_auth_token_cache_size" when setup:
                    list.Add(MoqtParameter.Varint((ulong)MoqtSetupParameterKey.MaxAuthTokenCacheSize, d.GetProperty("parameters").U(p.Name)));
                    break;
                case "path" when setup:
                    list.Add(MoqtParameter.FromBytes((ulong)MoqtSetupParameterKey.Path, Encoding.UTF8.GetBytes(p.Value.GetString()!)));
                    break;
                case "authority" when setup:
                    list.Add(MoqtParameter.FromBytes((ulong)MoqtSetupParameterKey.Authority, Encoding.UTF8.GetBytes(p.Value.GetString()!)));
                    break;
                case "delivery_timeout" when !setup:
                    list.Add(MoqtParameter.Varint((ulong)MoqtParameterKey.DeliveryTimeout, d.GetProperty("parameters").U(p.Name)));
                    break;
                case "max_cache_duration" when !setup:
                    list.Add(MoqtParameter.Varint((ulong)MoqtParameterKey.MaxCacheDuration, d.GetProperty("parameters").U(p.Name)));
                    break;
                case "authorization_token":
                    var t = p.Value;
                    var token = new MoqtAuthorizationToken
                    {
                        AliasType = (MoqtTokenAliasType)t.U("alias_type"),
                        Alias = t.OptU("token_alias") ?? 0,
                        TokenType = t.OptU("token_type") ?? 0,
                        Value = t.HexOf("token_value"),
                    };
                    list.Add(MoqtParameter.FromBytes((ulong)MoqtParameterKey.AuthorizationToken, token.ToBytes()));
                    break;
                case "unknown":
                    foreach (var u in p.Value.EnumerateArray())
                    {
                        var key = Convert.ToUInt64(u.S("id"), 16);
                        list.Add((key & 1) == 1
                            ? MoqtParameter.FromBytes(key, u.HexOf("raw_hex"))
                            : MoqtParameter.Varint(key, u.U("value")));
                    }

                    break;
                default:
                    throw new InvalidOperationException($"Unmapped vector parameter '{p.Name}'.");
            }
        }

        return new MoqtParameters(list);
    }
}
