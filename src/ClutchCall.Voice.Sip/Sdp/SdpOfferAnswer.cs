using System.Globalization;

namespace ClutchCall.Voice.Sip.Sdp;

/// <summary>An audio codec the bridge can carry, with the payload type it offers it on.</summary>
internal sealed record SdpCodec(string Encoding, int ClockRate, int Channels, int PayloadType, string? Fmtp = null)
{
    /// <summary>RFC 3551 static payload type 0.</summary>
    public static SdpCodec Pcmu { get; } = new("PCMU", 8000, 1, 0);

    /// <summary>RFC 3551 static payload type 8.</summary>
    public static SdpCodec Pcma { get; } = new("PCMA", 8000, 1, 8);

    /// <summary>RFC 7587 §7: always opus/48000/2, whatever is actually sent.</summary>
    public static SdpCodec Opus { get; } = new("opus", 48000, 2, 111, "useinbandfec=1; maxplaybackrate=16000; stereo=0; sprop-stereo=0");

    public bool Matches(SdpRtpMap map) =>
        string.Equals(map.Encoding, Encoding, StringComparison.OrdinalIgnoreCase) && map.ClockRate == ClockRate && map.Channels == Channels;
}

/// <summary>Local media configuration used to build offers and answers.</summary>
internal sealed record SdpMediaOptions
{
    /// <summary>The address advertised in c= (the configured public media address).</summary>
    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>Codecs in order of preference.</summary>
    public IReadOnlyList<SdpCodec> Codecs { get; init; } = [SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma];

    /// <summary>RFC 4733 telephone-event payload type, or null to not offer DTMF events.</summary>
    public int? TelephoneEventPayloadType { get; init; } = 101;

    public int Ptime { get; init; } = 20;

    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    public ulong SessionId { get; init; } = 1;

    public ulong SessionVersion { get; init; } = 1;

    /// <summary>SRTP policy for this stream (RFC 4568): off (plain RTP only), optional (best effort) or required.</summary>
    public SrtpPolicy Srtp { get; init; }

    /// <summary>Our SDES crypto lines for offers (stable for the call, so re-offers keep the keys); null when not offering SRTP.</summary>
    public IReadOnlyList<SdesCryptoAttribute>? SdesOffer { get; init; }
}

/// <summary>Whether a stream uses SRTP with SDES keys (RFC 4568).</summary>
internal enum SrtpPolicy
{
    /// <summary>Plain RTP; crypto lines are ignored and RTP/SAVP offers are rejected.</summary>
    Off,

    /// <summary>Offer crypto on RTP/AVP (best effort); accept crypto when offered.</summary>
    Optional,

    /// <summary>Offer RTP/SAVP only; a plain offer or answer fails the call.</summary>
    Required,
}

/// <summary>What an answer settled on for the audio stream.</summary>
internal sealed record SdpNegotiation(SdpCodec Codec, int? TelephoneEventPayloadType, string RemoteAddress, int RemotePort, SdpDirection LocalDirection, bool RemoteHold, int Ptime)
{
    /// <summary>The SDES keys agreed for SRTP (RFC 4568), or null for plain RTP.</summary>
    public SdesKeys? Srtp { get; init; }
}

/// <summary>The SDP offer/answer model (RFC 3264) for one audio stream.</summary>
internal static class SdpOfferAnswer
{
    public static SdpSession CreateOffer(SdpMediaOptions options)
    {
        var s = NewSession(options);
        var m = new SdpMedia { Type = "audio", Port = options.Port, Protocol = "RTP/AVP" };
        foreach (var c in options.Codecs)
        {
            AddCodec(m, c, c.PayloadType);
        }

        if (options.TelephoneEventPayloadType is { } te)
        {
            AddTelephoneEvent(m, te);
        }

        AddCommon(m, options, options.Direction);
        if (options.Srtp != SrtpPolicy.Off && options.SdesOffer is { } crypto)
        {
            SdesNegotiation.AddOffer(m, options.Srtp == SrtpPolicy.Required, crypto);
        }

        s.Media.Add(m);
        return s;
    }

    /// <summary>
    /// Builds the answer: one m= line per offered one (RFC 3264 §6). The first audio stream with a codec
    /// in common is accepted with the most preferred such codec on the offerer's payload type
    /// (RFC 3264 §6.1); every other stream is rejected with port 0.
    /// </summary>
    public static SdpSession CreateAnswer(SdpSession offer, SdpMediaOptions options, out SdpNegotiation? negotiation)
    {
        negotiation = null;
        var answer = NewSession(options);
        foreach (var om in offer.Media)
        {
            var am = new SdpMedia { Type = om.Type, Protocol = om.Protocol };
            if (negotiation is null && om.Type == "audio" && om.Port != 0 && AcceptsProfile(om, options.Srtp)
                && TryPick(om, options, out var codec, out var pt))
            {
                am.Port = options.Port;
                // RFC 4568 §7.1.2: answer the first usable crypto line with our own key (same tag and suite).
                SdesKeys? keys = null;
                if (options.Srtp != SrtpPolicy.Off && !SdesNegotiation.TryAnswer(om, am, out keys) && (options.Srtp == SrtpPolicy.Required || IsSecureProfile(om.Protocol)))
                {
                    am.Port = 0;
                    am.Protocol = om.Protocol;
                    am.Formats.AddRange(om.Formats.Count > 0 ? om.Formats : ["0"]);
                    answer.Media.Add(am);
                    continue;
                }

                AddCodec(am, codec, pt);
                int? tePt = null;
                foreach (var offered in om.PayloadTypes)
                {
                    // RFC 4733 §7.1.1: telephone-event at the codec's 8 kHz clock.
                    if (options.TelephoneEventPayloadType is not null && om.GetRtpMap(offered) is { } map
                        && string.Equals(map.Encoding, "telephone-event", StringComparison.OrdinalIgnoreCase) && map.ClockRate == 8000)
                    {
                        tePt = offered;
                        AddTelephoneEvent(am, offered);
                        break;
                    }
                }

                // RFC 3264 §6.1: sendonly ↔ recvonly, inactive stays inactive.
                var local = om.Direction switch
                {
                    SdpDirection.SendOnly => options.Direction is SdpDirection.SendOnly or SdpDirection.Inactive ? SdpDirection.Inactive : SdpDirection.RecvOnly,
                    SdpDirection.RecvOnly => options.Direction is SdpDirection.RecvOnly or SdpDirection.Inactive ? SdpDirection.Inactive : SdpDirection.SendOnly,
                    SdpDirection.Inactive => SdpDirection.Inactive,
                    _ => options.Direction,
                };
                AddCommon(am, options, local);
                negotiation = new SdpNegotiation(codec with { PayloadType = pt }, tePt, offer.AddressOf(om) ?? string.Empty, om.Port, local,
                    offer.IsHold(om), om.Ptime ?? options.Ptime)
                { Srtp = keys };
            }
            else
            {
                // RFC 3264 §6: a rejected stream keeps its formats and gets port 0.
                am.Port = 0;
                am.Formats.AddRange(om.Formats.Count > 0 ? om.Formats : ["0"]);
            }

            answer.Media.Add(am);
        }

        return answer;
    }

    /// <summary>Reads the answer to our offer: the codec is the first one the answer lists (RFC 3264 §7).</summary>
    public static bool TryReadAnswer(SdpSession answer, SdpMediaOptions options, out SdpNegotiation? negotiation)
    {
        negotiation = null;
        var m = answer.Media.Find(x => x.Type == "audio" && x.Port != 0);
        if (m is null)
        {
            return false;
        }

        int? tePt = null;
        SdpCodec? codec = null;
        foreach (var pt in m.PayloadTypes)
        {
            if (m.GetRtpMap(pt) is not { } map)
            {
                continue;
            }

            if (string.Equals(map.Encoding, "telephone-event", StringComparison.OrdinalIgnoreCase))
            {
                tePt ??= pt;
            }
            else if (codec is null && options.Codecs.FirstOrDefault(c => c.Matches(map)) is { } ours)
            {
                codec = ours with { PayloadType = pt };
            }
        }

        if (codec is null)
        {
            return false;
        }

        var local = m.Direction switch
        {
            SdpDirection.SendOnly => SdpDirection.RecvOnly,
            SdpDirection.RecvOnly => SdpDirection.SendOnly,
            SdpDirection.Inactive => SdpDirection.Inactive,
            _ => options.Direction,
        };
        // RFC 4568 §7.1.3: the answer's crypto line names one of our offered tags; a secure profile without one is unusable.
        SdesKeys? keys = null;
        if (options.Srtp != SrtpPolicy.Off && options.SdesOffer is { } offered && !SdesNegotiation.TryReadAnswer(m, offered, out keys) && IsSecureProfile(m.Protocol))
        {
            return false;
        }

        negotiation = new SdpNegotiation(codec, tePt, answer.AddressOf(m) ?? string.Empty, m.Port, local, answer.IsHold(m), m.Ptime ?? options.Ptime) { Srtp = keys };
        return true;
    }

    /// <summary>RFC 4568 §3.1.4 / RFC 3711: RTP/SAVP and RTP/SAVPF carry SRTP.</summary>
    public static bool IsSecureProfile(string? protocol) => protocol is "RTP/SAVP" or "RTP/SAVPF";

    private static bool AcceptsProfile(SdpMedia offered, SrtpPolicy policy) => offered.Protocol switch
    {
        "RTP/AVP" or "RTP/AVPF" => true,
        "RTP/SAVP" or "RTP/SAVPF" => policy != SrtpPolicy.Off,
        _ => false,
    };

    private static bool TryPick(SdpMedia offered, SdpMediaOptions options, out SdpCodec codec, out int payloadType)
    {
        foreach (var c in options.Codecs)
        {
            foreach (var pt in offered.PayloadTypes)
            {
                if (offered.GetRtpMap(pt) is { } map && c.Matches(map))
                {
                    codec = c;
                    payloadType = pt;
                    return true;
                }
            }
        }

        codec = SdpCodec.Pcmu;
        payloadType = -1;
        return false;
    }

    private static SdpSession NewSession(SdpMediaOptions options) => new()
    {
        OriginUser = "clutchcall",
        SessionId = options.SessionId,
        SessionVersion = options.SessionVersion,
        OriginAddress = options.Address,
        SessionName = "ClutchCall",
        ConnectionAddress = options.Address,
    };

    private static void AddCodec(SdpMedia m, SdpCodec c, int pt)
    {
        var ptText = pt.ToString(CultureInfo.InvariantCulture);
        m.Formats.Add(ptText);
        m.Attributes.Add(new("rtpmap", new SdpRtpMap(pt, c.Encoding, c.ClockRate, c.Channels).ToString()));
        if (c.Fmtp is not null)
        {
            m.Attributes.Add(new("fmtp", ptText + " " + c.Fmtp));
        }
    }

    private static void AddTelephoneEvent(SdpMedia m, int pt)
    {
        // RFC 4733 §7.1.1: events 0-15 are DTMF digits, 16 is flash.
        var ptText = pt.ToString(CultureInfo.InvariantCulture);
        m.Formats.Add(ptText);
        m.Attributes.Add(new("rtpmap", ptText + " telephone-event/8000"));
        m.Attributes.Add(new("fmtp", ptText + " 0-16"));
    }

    private static void AddCommon(SdpMedia m, SdpMediaOptions options, SdpDirection direction)
    {
        m.Attributes.Add(new("ptime", options.Ptime.ToString(CultureInfo.InvariantCulture)));
        m.Attributes.Add(new("maxptime", "40"));
        // RFC 3605: RTCP on the next port, stated explicitly.
        m.Attributes.Add(new("rtcp", (options.Port + 1).ToString(CultureInfo.InvariantCulture)));
        m.Direction = direction;
    }
}
