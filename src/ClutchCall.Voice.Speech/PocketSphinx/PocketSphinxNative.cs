using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Speech.PocketSphinx;

/// <summary>
/// P/Invoke declarations for Debian's pocketsphinx 0.8+5prealpha (libpocketsphinx.so.3) and
/// sphinxbase (libsphinxbase.so.3). In this version ps_start_utt and ps_get_hyp take no utterance id.
/// </summary>
internal static partial class PocketSphinxNative
{
    public const string PocketSphinxLib = "libpocketsphinx.so.3";
    public const string SphinxBaseLib = "libsphinxbase.so.3";

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_args")]
    public static partial nint ps_args();

    // cmd_ln_init is variadic; cmd_ln_parse_r takes the same arguments as an argv array.
    [LibraryImport(SphinxBaseLib, EntryPoint = "cmd_ln_parse_r")]
    public static partial nint cmd_ln_parse_r(nint inoutCmdln, nint definitions, int argc, nint[] argv, int strict);

    [LibraryImport(SphinxBaseLib, EntryPoint = "cmd_ln_free_r")]
    public static partial int cmd_ln_free_r(nint cmdln);

    [LibraryImport(SphinxBaseLib, EntryPoint = "err_set_logfp")]
    public static partial void err_set_logfp(nint stream);

    [LibraryImport(SphinxBaseLib, EntryPoint = "logmath_exp")]
    public static partial double logmath_exp(nint logmath, int logb);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_init")]
    public static partial nint ps_init(nint config);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_free")]
    public static partial int ps_free(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_start_stream")]
    public static partial int ps_start_stream(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_start_utt")]
    public static partial int ps_start_utt(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_process_raw")]
    public static unsafe partial int ps_process_raw(nint ps, short* data, nuint nSamples, int noSearch, int fullUtt);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_end_utt")]
    public static partial int ps_end_utt(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_get_hyp")]
    public static partial nint ps_get_hyp(nint ps, out int bestScore);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_get_prob")]
    public static partial int ps_get_prob(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_get_logmath")]
    public static partial nint ps_get_logmath(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_iter")]
    public static partial nint ps_seg_iter(nint ps);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_next")]
    public static partial nint ps_seg_next(nint seg);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_word")]
    public static partial nint ps_seg_word(nint seg);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_frames")]
    public static partial void ps_seg_frames(nint seg, out int startFrame, out int endFrame);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_prob")]
    public static partial int ps_seg_prob(nint seg, out int acousticScore, out int languageScore, out int languageBackoff);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_seg_free")]
    public static partial void ps_seg_free(nint seg);

    [LibraryImport(PocketSphinxLib, EntryPoint = "ps_get_feat")]
    public static partial nint ps_get_feat(nint ps);

    // mfcc_t is float in Debian's (floating-point) sphinxbase build.
    [LibraryImport(SphinxBaseLib, EntryPoint = "cmn_live_get")]
    public static partial int cmn_live_get(nint cmn, [Out] float[] vec);

    [LibraryImport(SphinxBaseLib, EntryPoint = "cmn_live_set")]
    public static partial void cmn_live_set(nint cmn, float[] vec);
}

/// <summary>Owns a pocketsphinx decoder (ps_decoder_t) and frees it with ps_free.</summary>
internal sealed class PocketSphinxDecoderHandle : SafeHandle
{
    public PocketSphinxDecoderHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Restores the decoder's live CMN to its fresh state before reuse; null when that is not possible.</summary>
    public PocketSphinxCmnReset? CmnReset { get; private set; }

    public static PocketSphinxDecoderHandle FromPointer(nint ps)
    {
        var h = new PocketSphinxDecoderHandle();
        h.SetHandle(ps);
        h.CmnReset = PocketSphinxCmnReset.Capture(ps);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        PocketSphinxNative.ps_free(handle);
        return true;
    }
}
