using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Speech.Espeak;

/// <summary>P/Invoke declarations for libespeak-ng.so.1 (espeak-ng 1.51, speak_lib.h API).</summary>
internal static unsafe partial class EspeakNative
{
    public const string Library = "libespeak-ng.so.1";

    // speak_lib.h: espeak_AUDIO_OUTPUT
    public const int AudioOutputSynchronous = 2;

    // speak_lib.h: espeak_POSITION_TYPE POS_CHARACTER
    public const int PositionCharacter = 1;

    // speak_lib.h: espeakCHARS_UTF8
    public const uint CharsUtf8 = 1;

    // speak_lib.h: espeak_PARAMETER
    public const int ParameterRate = 1;
    public const int ParameterVolume = 2;
    public const int ParameterPitch = 3;

    [LibraryImport(Library, EntryPoint = "espeak_Initialize")]
    public static partial int espeak_Initialize(int output, int bufferLengthMs, nint path, int options);

    [LibraryImport(Library, EntryPoint = "espeak_SetSynthCallback")]
    public static partial void espeak_SetSynthCallback(delegate* unmanaged[Cdecl]<short*, int, nint, int> callback);

    [LibraryImport(Library, EntryPoint = "espeak_SetVoiceByName", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int espeak_SetVoiceByName(string name);

    [LibraryImport(Library, EntryPoint = "espeak_SetParameter")]
    public static partial int espeak_SetParameter(int parameter, int value, int relative);

    [LibraryImport(Library, EntryPoint = "espeak_Synth")]
    public static partial int espeak_Synth(byte* text, nuint size, uint position, int positionType, uint endPosition, uint flags, uint* uniqueIdentifier, nint userData);

    [LibraryImport(Library, EntryPoint = "espeak_Cancel")]
    public static partial int espeak_Cancel();
}
