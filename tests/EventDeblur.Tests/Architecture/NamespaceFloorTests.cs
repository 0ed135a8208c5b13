using System.Reflection;
using System.Reflection.Emit;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Architecture;

/// <summary>
/// Floors, not circles (STYLE.md 9, docs/ARCHITECTURE.md): a namespace of the library may use only
/// namespaces on lower floors. Namespaces on one floor are independent rooms and may not use each
/// other. The references are read from the compiled assembly — base types, interfaces, fields,
/// properties, events, method signatures, generic arguments and constraints, attributes, local
/// variables and every type, method and field token in the method bodies' IL — so a fully qualified
/// name or a lambda cannot hide one.
/// </summary>
public class NamespaceFloorTests
{
    /// <summary>The floors, bottom first. A new namespace must be placed here before it can be used.</summary>
    internal static readonly string[][] Floors =
    [
        ["EventDeblur.IO"],
        ["EventDeblur.Events", "EventDeblur.Imaging"],
        ["EventDeblur.Formats.Aedat"],
        ["EventDeblur.Formats.Hdf5"],
        ["EventDeblur.Formats.Prophesee"],
        ["EventDeblur.Formats"],
        ["EventDeblur.Recording"],
        ["EventDeblur.Sync"],
        ["EventDeblur.Streaks", "EventDeblur.Calibration"],
        ["EventDeblur.Kernels"],
        ["EventDeblur.Deconvolution", "EventDeblur.Metrics", "EventDeblur.Simulation", "EventDeblur.Visualization"],
        ["EventDeblur.Pipeline.Output", "EventDeblur.Methods"],
        ["EventDeblur.Pipeline"],
        ["EventDeblur.Evaluation", "EventDeblur.Live"],
    ];

    private static readonly Assembly Library = typeof(RecordingBundle).Assembly;

    [Fact]
    public void EveryNamespaceUsesOnlyNamespacesOnLowerFloors()
    {
        var floor = FloorOf();
        var graph = Dependencies(Library);
        var unplaced = graph.Keys.Where(n => !floor.ContainsKey(n)).ToList();
        Assert.True(unplaced.Count == 0, $"namespaces missing from the floor table: {string.Join(", ", unplaced)}");
        var violations = new List<string>();
        foreach (var (from, uses) in graph)
            foreach (var (to, evidence) in uses)
            {
                if (to == from) continue;
                if (!floor.TryGetValue(to, out int target)) { violations.Add($"{from} → {to} (not in the floor table): {evidence}"); continue; }
                if (target > floor[from]) violations.Add($"{from} (floor {floor[from]}) → {to} (floor {target}, higher): {evidence}");
                else if (target == floor[from]) violations.Add($"{from} → {to} (same floor {target}; rooms of one floor are independent): {evidence}");
            }
        Assert.True(violations.Count == 0, "namespace floor violations:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheInspectionSeesReferencesThatOnlyMethodBodiesMake()
    {
        var graph = Dependencies(Library);
        // Each of these is made inside method bodies (calls, object creation, field access), so an
        // inspection that read signatures only, or nothing at all, would miss it and the floor test
        // above would pass for the wrong reason.
        Assert.Contains("EventDeblur.Formats.Aedat", graph["EventDeblur.Sync"].Keys);      // ExposureResolver opens the AEDAT reader
        Assert.Contains("EventDeblur.Metrics", graph["EventDeblur.Pipeline"].Keys);        // the writer scores frames
        Assert.Contains("EventDeblur.Streaks", graph["EventDeblur.Kernels"].Keys);         // the estimator detects streaks
        Assert.Contains("EventDeblur.Imaging", graph["EventDeblur.Simulation"].Keys);      // the simulator inverts its homography
    }

    private static Dictionary<string, int> FloorOf()
    {
        var floor = new Dictionary<string, int>();
        for (int i = 0; i < Floors.Length; i++)
            foreach (var ns in Floors[i]) floor.Add(ns, i);
        return floor;
    }

    /// <summary>For every namespace of <paramref name="assembly"/>: the library namespaces it references, each with one example of where.</summary>
    internal static Dictionary<string, Dictionary<string, string>> Dependencies(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in assembly.GetTypes())
        {
            string? from = NamespaceOf(type);
            if (from == null || !from.StartsWith("EventDeblur", StringComparison.Ordinal)) continue;
            if (!graph.TryGetValue(from, out var uses)) graph[from] = uses = [];
            void Note(Type? t, string where)
            {
                foreach (var used in Expand(t))
                    if (NamespaceOf(used) is { } ns && ns.StartsWith("EventDeblur", StringComparison.Ordinal) && used.Assembly == assembly)
                        uses.TryAdd(ns, $"{type.FullName} {where} uses {used.FullName}");
            }
            Note(type.BaseType, "base type");
            foreach (var i in type.GetInterfaces()) Note(i, "interface");
            if (type.IsGenericTypeDefinition)
                foreach (var g in type.GetGenericArguments()) foreach (var c in g.GetGenericParameterConstraints()) Note(c, "constraint");
            foreach (var a in type.GetCustomAttributesData()) NoteAttribute(a, "attribute", Note);
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var f in type.GetFields(all)) { Note(f.FieldType, $"field {f.Name}"); foreach (var a in f.GetCustomAttributesData()) NoteAttribute(a, $"field {f.Name}", Note); }
            foreach (var p in type.GetProperties(all)) { Note(p.PropertyType, $"property {p.Name}"); foreach (var a in p.GetCustomAttributesData()) NoteAttribute(a, $"property {p.Name}", Note); }
            foreach (var e in type.GetEvents(all)) Note(e.EventHandlerType, $"event {e.Name}");
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (m is MethodInfo mi) Note(mi.ReturnType, $"{m.Name} return type");
                foreach (var p in m.GetParameters()) Note(p.ParameterType, $"{m.Name} parameter {p.Name}");
                if (m.IsGenericMethodDefinition)
                    foreach (var g in m.GetGenericArguments()) foreach (var c in g.GetGenericParameterConstraints()) Note(c, $"{m.Name} constraint");
                foreach (var a in m.GetCustomAttributesData()) NoteAttribute(a, m.Name, Note);
                var body = m.GetMethodBody();
                if (body == null) continue;
                foreach (var local in body.LocalVariables) Note(local.LocalType, $"{m.Name} local");
                foreach (var member in IlReferences(m, body))
                {
                    switch (member)
                    {
                        case Type t: Note(t, $"{m.Name} IL"); break;
                        case MethodBase callee:
                            Note(callee.DeclaringType, $"{m.Name} IL calls {callee.Name}");
                            if (callee is MethodInfo cm) { Note(cm.ReturnType, $"{m.Name} IL calls {callee.Name}"); if (cm.IsGenericMethod) foreach (var g in cm.GetGenericArguments()) Note(g, $"{m.Name} IL calls {callee.Name}"); }
                            foreach (var p in callee.GetParameters()) Note(p.ParameterType, $"{m.Name} IL calls {callee.Name}");
                            break;
                        case FieldInfo field: Note(field.DeclaringType, $"{m.Name} IL field {field.Name}"); Note(field.FieldType, $"{m.Name} IL field {field.Name}"); break;
                    }
                }
            }
        }
        return graph;
    }

    private static void NoteAttribute(CustomAttributeData a, string where, Action<Type?, string> note)
    {
        note(a.AttributeType, where + " attribute");
        foreach (var arg in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
            if (arg.Value is Type t) note(t, where + " attribute argument");
    }

    /// <summary>The namespace a type lives in (nested and compiler-generated types: their outermost declaring type's).</summary>
    private static string? NamespaceOf(Type t)
    {
        while (t.DeclaringType != null && !t.IsGenericParameter) t = t.DeclaringType;
        return t.IsGenericParameter ? null : t.Namespace;
    }

    /// <summary>A type with its element type, generic arguments and declaring types, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? t)
    {
        var seen = new HashSet<Type>();
        var stack = new Stack<Type>();
        if (t != null) stack.Push(t);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            if (!seen.Add(x)) continue;
            if (x.IsGenericParameter) continue;
            yield return x;
            if (x.HasElementType && x.GetElementType() is { } e) stack.Push(e);
            if (x.IsGenericType) foreach (var g in x.GetGenericArguments()) stack.Push(g);
            if (x.DeclaringType != null) stack.Push(x.DeclaringType);
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every type, method and field a method body's IL refers to (ldtoken, call, newobj, ldfld, castclass, …).</summary>
    internal static IEnumerable<MemberInfo> IlReferences(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            if (!OpCodesByValue.TryGetValue(value, out var op))
                throw new InvalidOperationException($"{method.DeclaringType?.FullName}.{method.Name}: unknown IL opcode 0x{value:X} at {pos}");
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: pos += 1; break;
                case OperandType.InlineVar: pos += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    int token = BitConverter.ToInt32(il, pos);
                    pos += 4;
                    yield return module.ResolveMember(token, typeArgs, methodArgs)
                        ?? throw new InvalidOperationException($"{method.DeclaringType?.FullName}.{method.Name}: IL token 0x{token:X8} does not resolve");
                    break;
                default: pos += 4; break; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
            }
        }
    }
}
