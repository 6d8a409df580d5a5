namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// MoQT version numbers as carried in CLIENT_SETUP / SERVER_SETUP (draft-ietf-moq-transport-14 §9.3.1:
/// drafts are 0xff000000 + draft number). Other values may arrive from peers; the enum holds any 32-bit value.
/// </summary>
internal enum MoqtVersion : ulong
{
    Draft13 = 0xff00000d,
    Draft14 = 0xff00000e,
}
