using ClutchCall.Voice.Sip.Sdp;

namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>
/// The four SRTP contexts of one media leg, built from SDES keys (RFC 4568 §6.1): our key protects what we send,
/// the peer's key unprotects what we receive. RTP and RTCP each get their own context so the send path, the RTCP
/// timer and the two receive loops never share cipher state.
/// </summary>
internal sealed class SrtpSession : IDisposable
{
    public SrtpSession(SdesKeys keys)
    {
        SendRtp = keys.Local.CreateContext();
        SendRtcp = keys.Local.CreateContext();
        ReceiveRtp = keys.Remote.CreateContext();
        ReceiveRtcp = keys.Remote.CreateContext();
    }

    public SrtpContext SendRtp { get; }

    public SrtpContext SendRtcp { get; }

    public SrtpContext ReceiveRtp { get; }

    public SrtpContext ReceiveRtcp { get; }

    public void Dispose()
    {
        SendRtp.Dispose();
        SendRtcp.Dispose();
        ReceiveRtp.Dispose();
        ReceiveRtcp.Dispose();
    }
}
