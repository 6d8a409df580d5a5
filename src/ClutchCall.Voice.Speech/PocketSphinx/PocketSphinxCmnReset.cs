using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Speech.PocketSphinx;

/// <summary>
/// Puts a pooled decoder's live cepstral mean normalisation back to the state a fresh decoder starts in.
/// </summary>
/// <remarks>
/// Why: sphinxbase's live CMN (cmn_live.c) keeps a running cepstral mean across utterances, so a decoder
/// that heard one caller recognises the next caller's speech differently (measured: the same LibriVox
/// clip decodes to different words after a decoder has heard jfk.wav). Decoders are pooled across calls,
/// which would let one call's audio change another call's transcript and make results depend on history.
/// A fresh decoder has <c>cmn_mean</c> = the model's <c>-cmninit</c>, <c>sum</c> = 0 and <c>nframe</c> = 0;
/// cmn_live_set alone restores the mean but sets <c>nframe</c> to its window, so the running sums are
/// cleared too. sphinxbase exports no reset, so this reads the 0.8+5prealpha structs (feat_t.cmn_struct,
/// cmn_t.sum/nframe/veclen) and checks their shape first; on any mismatch it turns itself off and the
/// pool hands out decoders as before.
/// </remarks>
internal sealed class PocketSphinxCmnReset
{
    // feat_t (sphinxbase feat.h, LP64): cepsize at 16, cmn_struct at 88.
    private const int FeatCepsizeOffset = 16;
    private const int FeatCmnStructOffset = 88;

    // cmn_t (sphinxbase cmn.h, LP64): cmn_mean 0, cmn_var 8, sum 16, nframe 24, veclen 28.
    private const int CmnSumOffset = 16;
    private const int CmnNframeOffset = 24;
    private const int CmnVeclenOffset = 28;
    private const int MaxVecLen = 64;

    private readonly nint _cmn;
    private readonly float[] _initialMean;

    private PocketSphinxCmnReset(nint cmn, float[] initialMean)
    {
        _cmn = cmn;
        _initialMean = initialMean;
    }

    /// <summary>Captures a fresh decoder's CMN state, or returns null when the structs do not look as expected.</summary>
    public static PocketSphinxCmnReset? Capture(nint decoder)
    {
        if (IntPtr.Size != 8)
        {
            return null;
        }

        try
        {
            var feat = PocketSphinxNative.ps_get_feat(decoder);
            if (feat == 0)
            {
                return null;
            }

            var cepsize = Marshal.ReadInt32(feat, FeatCepsizeOffset);
            var cmn = Marshal.ReadIntPtr(feat, FeatCmnStructOffset);
            if (cmn == 0 || cepsize is <= 0 or > MaxVecLen)
            {
                return null;
            }

            // A fresh decoder has an empty running sum; anything else means the layout is not the one assumed.
            if (Marshal.ReadInt32(cmn, CmnVeclenOffset) != cepsize || Marshal.ReadInt32(cmn, CmnNframeOffset) != 0 || Marshal.ReadIntPtr(cmn, CmnSumOffset) == 0)
            {
                return null;
            }

            var mean = new float[cepsize];
            PocketSphinxNative.cmn_live_get(cmn, mean);
            return new PocketSphinxCmnReset(cmn, mean);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Restores the captured mean and clears the running sum, as in a fresh decoder.</summary>
    public unsafe void Apply()
    {
        PocketSphinxNative.cmn_live_set(_cmn, _initialMean);
        var sum = (float*)Marshal.ReadIntPtr(_cmn, CmnSumOffset);
        new Span<float>(sum, _initialMean.Length).Clear();
        Marshal.WriteInt32(_cmn, CmnNframeOffset, 0);
    }
}
