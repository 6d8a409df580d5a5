namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Totals over the relay bridges of SIP legs that have ended on this server: how many, the audio they carried and
/// the least uplink audio any one carried (a call that bridged nothing shows up as 0 there).
/// </summary>
internal sealed class SipBridgeTotals
{
    private long _bridges;
    private long _uplinkFrames;
    private long _downlinkFrames;
    private long _underruns;
    private long _fewestUplinkFrames = long.MaxValue;
    private int _peakLiveLegs;

    /// <summary>Bridges that have ended.</summary>
    public long Bridges => Interlocked.Read(ref _bridges);

    public long UplinkFrames => Interlocked.Read(ref _uplinkFrames);

    public long DownlinkFrames => Interlocked.Read(ref _downlinkFrames);

    public long Underruns => Interlocked.Read(ref _underruns);

    /// <summary>The fewest uplink frames any ended bridge published; 0 when none has ended.</summary>
    public long FewestUplinkFrames => Bridges == 0 ? 0 : Interlocked.Read(ref _fewestUplinkFrames);

    /// <summary>The most SIP legs live at once since start.</summary>
    public int PeakLiveLegs => Volatile.Read(ref _peakLiveLegs);

    internal void OnLiveLegs(int live)
    {
        int seen;
        while ((seen = Volatile.Read(ref _peakLiveLegs)) < live && Interlocked.CompareExchange(ref _peakLiveLegs, live, seen) != seen)
        {
        }
    }

    internal void OnEnded(SipRelayBridge bridge)
    {
        Interlocked.Increment(ref _bridges);
        var up = bridge.UplinkFrames;
        Interlocked.Add(ref _uplinkFrames, up);
        Interlocked.Add(ref _downlinkFrames, bridge.DownlinkFrames);
        Interlocked.Add(ref _underruns, bridge.Underruns);
        long seen;
        while ((seen = Interlocked.Read(ref _fewestUplinkFrames)) > up && Interlocked.CompareExchange(ref _fewestUplinkFrames, up, seen) != seen)
        {
        }
    }
}
