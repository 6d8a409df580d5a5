using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>Outcome of unprotecting one SRTP or SRTCP packet; anything but <see cref="Ok"/> is dropped and counted.</summary>
internal enum SrtpResult
{
    Ok,

    /// <summary>Too short, not RTP version 2, or a header running past the packet.</summary>
    Malformed,

    /// <summary>The authentication tag did not match (tampered, wrong key, or wrong ROC guess).</summary>
    AuthenticationFailed,

    /// <summary>RFC 3711 §3.3.2: already received, or older than the replay window.</summary>
    Replayed,

    /// <summary>More SSRCs than one context tracks.</summary>
    TooManySources,
}

/// <summary>Packets dropped by a context, by reason.</summary>
internal sealed class SrtpCounters
{
    public long Protected;
    public long Unprotected;
    public long Malformed;
    public long AuthenticationFailures;
    public long Replays;
    public long TooManySources;
}

/// <summary>
/// One SRTP/SRTCP cryptographic context (RFC 3711 §3.2) for one direction, keyed by one SDES master key:
/// AES-CM encryption (§4.1.1), HMAC-SHA1 authentication (§4.2), the rollover counter per SSRC (§3.3.1),
/// and replay protection (§3.3.2). Packets are transformed in place; the steady path allocates nothing.
/// Not thread-safe: the sender and the receiver of a call each own one.
/// </summary>
internal sealed class SrtpContext : IDisposable
{
    private const int MaxSources = 32;

    private readonly byte[] _rtpSalt = new byte[SrtpCryptoSuites.MasterSaltLength];
    private readonly byte[] _rtcpSalt = new byte[SrtpCryptoSuites.MasterSaltLength];
    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly IncrementalHash _rtpMac;
    private readonly IncrementalHash _rtcpMac;
    private readonly Dictionary<uint, SourceState> _sources = [];
    private SrtpReplayWindow _rtcpReplay;
    private uint _rtcpIndex;

    public SrtpContext(SrtpCryptoSuite suite, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        Suite = suite;
        TagLength = suite.RtpTagLength();
        Span<byte> key = stackalloc byte[SrtpCryptoSuites.MasterKeyLength];
        Span<byte> auth = stackalloc byte[SrtpCryptoSuites.AuthKeyLength];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption, key);
        _rtpCipher = new AesCounterMode(key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
        _rtpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSalt, _rtpSalt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpEncryption, key);
        _rtcpCipher = new AesCounterMode(key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpAuthentication, auth);
        _rtcpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtcpSalt, _rtcpSalt);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(auth);
    }

    public SrtpCryptoSuite Suite { get; }

    /// <summary>Bytes an SRTP packet is longer than its RTP packet.</summary>
    public int TagLength { get; }

    /// <summary>Bytes an SRTCP packet is longer than its RTCP packet (E||index and the 80-bit tag).</summary>
    public static int RtcpOverhead => SrtpCryptoSuites.RtcpIndexLength + SrtpCryptoSuites.RtcpTagLength;

    public SrtpCounters Counters { get; } = new();

    /// <summary>
    /// RFC 3711 §3.3: encrypts the payload of the RTP packet in <paramref name="packet"/>[..length] in place and
    /// appends the tag; <paramref name="packet"/> must have <see cref="TagLength"/> spare bytes.
    /// </summary>
    public bool TryProtectRtp(Span<byte> packet, int length, out int protectedLength)
    {
        protectedLength = 0;
        if (length > packet.Length - TagLength || !TryHeaderLength(packet[..length], out var header))
        {
            return false;
        }

        var seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        if (!_sources.TryGetValue(ssrc, out var state))
        {
            if (_sources.Count >= MaxSources)
            {
                return false;
            }

            state = new SourceState { HighestSeq = seq };
            _sources[ssrc] = state;
        }

        // RFC 3711 §3.3.1: the sender's ROC counts wraps of its own sequence numbers.
        var roc = Estimate(state, seq);
        Update(state, roc, seq);
        var index = ((ulong)roc << 16) | seq;
        Span<byte> iv = stackalloc byte[16];
        MakeIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Apply(iv, packet[header..length]);
        WriteTag(_rtpMac, packet[..length], roc, packet.Slice(length, TagLength));
        protectedLength = length + TagLength;
        Counters.Protected++;
        return true;
    }

    /// <summary>
    /// RFC 3711 §3.3: checks replay and the tag of the SRTP packet in <paramref name="packet"/>, then decrypts
    /// in place; <paramref name="length"/> is the RTP packet's length (the tag removed).
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        var rtpLength = packet.Length - TagLength;
        if (rtpLength < 12 || !TryHeaderLength(packet[..rtpLength], out var header))
        {
            Counters.Malformed++;
            return SrtpResult.Malformed;
        }

        var seq = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var known = _sources.TryGetValue(ssrc, out var state);
        if (!known && _sources.Count >= MaxSources)
        {
            Counters.TooManySources++;
            return SrtpResult.TooManySources;
        }

        // RFC 3711 §3.3.1: a new source starts with ROC 0 and s_l = its first SEQ.
        var roc = known ? Estimate(state!, seq) : 0;
        var index = ((ulong)roc << 16) | seq;
        if (known && !state!.Replay.Check(index))
        {
            Counters.Replays++;
            return SrtpResult.Replayed;
        }

        Span<byte> tag = stackalloc byte[SrtpCryptoSuites.RtcpTagLength];
        WriteTag(_rtpMac, packet[..rtpLength], roc, tag[..TagLength]);
        if (!CryptographicOperations.FixedTimeEquals(tag[..TagLength], packet.Slice(rtpLength, TagLength)))
        {
            Counters.AuthenticationFailures++;
            return SrtpResult.AuthenticationFailed;
        }

        if (!known)
        {
            state = new SourceState { HighestSeq = seq };
            _sources[ssrc] = state;
        }

        state!.Replay.Accept(index);
        Update(state, roc, seq);
        Span<byte> iv = stackalloc byte[16];
        MakeIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Apply(iv, packet[header..rtpLength]);
        length = rtpLength;
        Counters.Unprotected++;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// RFC 3711 §3.4: encrypts an RTCP compound packet after its first 8 bytes, appends E||SRTCP index and
    /// the 80-bit tag; <paramref name="packet"/> must have <see cref="RtcpOverhead"/> spare bytes.
    /// </summary>
    public bool TryProtectRtcp(Span<byte> packet, int length, out int protectedLength)
    {
        protectedLength = 0;
        // §3.4: the index is 31 bits; the master key must be replaced before it wraps (§9.2).
        if (length < 8 || length > packet.Length - RtcpOverhead || (packet[0] >> 6) != 2 || _rtcpIndex >= 0x7FFF_FFFF)
        {
            return false;
        }

        var index = _rtcpIndex++;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        Span<byte> iv = stackalloc byte[16];
        MakeIv(_rtcpSalt, ssrc, index, iv);
        _rtcpCipher.Apply(iv, packet[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], 0x8000_0000u | index);
        var authenticated = length + SrtpCryptoSuites.RtcpIndexLength;
        WriteRtcpTag(packet[..authenticated], packet.Slice(authenticated, SrtpCryptoSuites.RtcpTagLength));
        protectedLength = authenticated + SrtpCryptoSuites.RtcpTagLength;
        Counters.Protected++;
        return true;
    }

    /// <summary>RFC 3711 §3.4: verifies and decrypts an SRTCP packet in place; <paramref name="length"/> is the RTCP length.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        var authenticated = packet.Length - SrtpCryptoSuites.RtcpTagLength;
        var rtcpLength = authenticated - SrtpCryptoSuites.RtcpIndexLength;
        if (rtcpLength < 8 || (packet[0] >> 6) != 2)
        {
            Counters.Malformed++;
            return SrtpResult.Malformed;
        }

        var eIndex = BinaryPrimitives.ReadUInt32BigEndian(packet[rtcpLength..]);
        var index = eIndex & 0x7FFF_FFFFu;
        if (!_rtcpReplay.Check(index))
        {
            Counters.Replays++;
            return SrtpResult.Replayed;
        }

        Span<byte> tag = stackalloc byte[SrtpCryptoSuites.RtcpTagLength];
        WriteRtcpTag(packet[..authenticated], tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet[authenticated..]))
        {
            Counters.AuthenticationFailures++;
            return SrtpResult.AuthenticationFailed;
        }

        _rtcpReplay.Accept(index);
        if ((eIndex & 0x8000_0000u) != 0)
        {
            var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
            Span<byte> iv = stackalloc byte[16];
            MakeIv(_rtcpSalt, ssrc, index, iv);
            _rtcpCipher.Apply(iv, packet[8..rtcpLength]);
        }

        length = rtcpLength;
        Counters.Unprotected++;
        return SrtpResult.Ok;
    }

    /// <summary>RFC 3550 §5.1: fixed header, CSRCs and the extension, checked against the length.</summary>
    internal static bool TryHeaderLength(ReadOnlySpan<byte> packet, out int header)
    {
        header = 0;
        if (packet.Length < 12 || (packet[0] >> 6) != 2)
        {
            return false;
        }

        var h = 12 + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < h + 4)
            {
                return false;
            }

            h += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(h + 2)..]));
        }

        header = h;
        return h <= packet.Length;
    }

    /// <summary>RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).</summary>
    internal static void MakeIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        iv.Clear();
        salt.CopyTo(iv);
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (var i = 0; i < 4; i++)
        {
            iv[4 + i] ^= word[i];
        }

        BinaryPrimitives.WriteUInt64BigEndian(word, index << 16);
        for (var i = 0; i < 8; i++)
        {
            iv[8 + i] ^= word[i];
        }
    }

    /// <summary>RFC 3711 Appendix A: the ROC guess v from the highest sequence number seen.</summary>
    private static uint Estimate(SourceState state, ushort seq)
    {
        var roc = state.Roc;
        var sl = state.HighestSeq;
        if (sl < 32768)
        {
            return seq - sl > 32768 && roc > 0 ? roc - 1 : roc;
        }

        return sl - 32768 > seq ? roc + 1 : roc;
    }

    /// <summary>RFC 3711 §3.3.1: after authentication, move ROC and s_l forward.</summary>
    private static void Update(SourceState state, uint v, ushort seq)
    {
        if (v == state.Roc + 1)
        {
            state.Roc = v;
            state.HighestSeq = seq;
        }
        else if (v == state.Roc && seq > state.HighestSeq)
        {
            state.HighestSeq = seq;
        }
    }

    /// <summary>RFC 3711 §4.2: HMAC-SHA1 over the authenticated portion and the ROC, truncated.</summary>
    private static void WriteTag(IncrementalHash mac, ReadOnlySpan<byte> authenticated, uint roc, Span<byte> tag)
    {
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        mac.AppendData(authenticated);
        mac.AppendData(rocBytes);
        Span<byte> full = stackalloc byte[20];
        mac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    private void WriteRtcpTag(ReadOnlySpan<byte> authenticated, Span<byte> tag)
    {
        _rtcpMac.AppendData(authenticated);
        Span<byte> full = stackalloc byte[20];
        _rtcpMac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    private sealed class SourceState
    {
        public uint Roc;
        public ushort HighestSeq;
        public SrtpReplayWindow Replay;
    }
}
