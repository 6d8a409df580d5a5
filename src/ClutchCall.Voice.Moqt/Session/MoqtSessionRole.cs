namespace ClutchCall.Voice.Moqt.Session;

/// <summary>Which end of the session this is: the client opened the transport and sends CLIENT_SETUP.</summary>
internal enum MoqtSessionRole
{
    /// <summary>Sent CLIENT_SETUP; uses even request ids (draft-ietf-moq-transport-14 §9.1).</summary>
    Client,

    /// <summary>Answered with SERVER_SETUP; uses odd request ids.</summary>
    Server,
}
