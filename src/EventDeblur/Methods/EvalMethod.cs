namespace EventDeblur.Methods;

/// <summary>
/// A method as <c>eval --methods</c> names it, parsed by <see cref="MethodCatalogue.ParseMethod"/>: a kernel source and a
/// restoration, e.g. <c>events+hl</c>, or <c>blurry</c> / <c>edi</c>. Plain names, valid in the catalogue that parsed it.
/// </summary>
/// <param name="Name">As given on the command line (the run folder's name under <c>OUT/runs</c>).</param>
/// <param name="Kernels">Kernel source name (<c>events</c>, <c>gt</c>, <c>streak</c>; <c>identity</c> for <c>blurry</c> and <c>edi</c>).</param>
/// <param name="Deconvolver">The <c>--deconvolver</c> value: a deconvolver of the catalogue (<c>none</c> for <c>blurry</c>) or <c>edi</c>.</param>
/// <param name="Kind">The kind of restoration <paramref name="Deconvolver"/> names.</param>
public sealed record EvalMethod(string Name, string Kernels, string Deconvolver, RestorationKind Kind);
