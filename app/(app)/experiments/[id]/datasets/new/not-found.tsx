import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Dataset registration" back={{ href: "/experiments", label: "Experiments" }} />;
}
